"""Reads of the notifications: who an announcement would reach, and delivery figures."""

from collections import Counter

from django.db.models import Count, Q, QuerySet

from incidents.models import Component, Incident
from notify.models import Delivery, SendingSwitch, Subscriber


def active_subscribers() -> QuerySet[Subscriber]:
    return Subscriber.objects.filter(
        confirmed_at__isnull=False, unsubscribed_at__isnull=True, suspended_at__isnull=True
    )


def audience(*, components: list[Component], incident: Incident | None) -> dict[str, int]:
    """How many subscribers per channel an announcement about these components would reach
    (the preview shown before posting)."""
    scoped = Q(components__isnull=True) | Q(components__in=components)
    reach = active_subscribers().filter(scoped)
    reach = reach.filter(Q(incident__isnull=True) | Q(incident=incident))
    counts = reach.values("channel").annotate(n=Count("id", distinct=True))
    return {row["channel"]: row["n"] for row in counts}


def sending_switch() -> SendingSwitch:
    return SendingSwitch.objects.filter(id=1).first() or SendingSwitch(id=1)


def delivery_states(notification_id: int) -> Counter:
    """Deliveries of one notification by state."""
    rows = Delivery.objects.filter(notification_id=notification_id).values_list("state", flat=True)
    return Counter(rows)


def delivery_states_by_channel(notification_id: int) -> dict[str, dict[str, int]]:
    """Deliveries of one notification counted by channel, then state."""
    rows = (
        Delivery.objects.filter(notification_id=notification_id)
        .values_list("channel", "state")
        .annotate(n=Count("id"))
        .order_by("channel", "state")
    )
    table: dict[str, dict[str, int]] = {}
    for channel, state, n in rows:
        table.setdefault(channel, {})[state] = n
    return table


def delivery_log(subscriber: Subscriber, *, limit: int) -> list[Delivery]:
    """A subscriber's latest deliveries, newest first."""
    return list(
        Delivery.objects.filter(subscriber=subscriber)
        .select_related("notification__incident", "notification__component_change__component")
        .order_by("-created_at", "-id")[:limit]
    )
