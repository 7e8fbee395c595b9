"""Reads of the notifications: who an announcement would reach, a phone number's subscription
and its SMS deliveries, the components a subscription follows, and delivery figures."""

import re
from datetime import datetime, timedelta

from django.db.models import Case, Count, F, Max, Min, Q, QuerySet, When
from django.db.models.functions import Now

from incidents.models import Component, Incident
from notify import channels
from notify.choices import Channel, DeliveryState, Language
from notify.messages import answers
from notify.models import Delivery, Notification, ProcessHeartbeat, SendingSwitch, Subscriber


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


def audience_preview(*, components, incident: Incident | None, sms: bool) -> dict[str, int]:
    """How many subscribers an announcement about these components would reach now, by the
    name of each enabled channel it goes to (SMS only when `sms`: the update declares or
    resolves). The preview the console shows before posting; fan-out decides for real on save."""
    counts = audience(components=list(components), incident=incident)
    shown = [name for name in channels.enabled_channels() if sms or name != Channel.SMS]
    return {str(Channel(name).label): counts.get(name, 0) for name in shown}


def notified_count(incident: Incident) -> int:
    """Distinct subscribers with a sent delivery of any announcement about the incident."""
    return (
        Delivery.objects.filter(notification__incident=incident, state=DeliveryState.SENT)
        .values("subscriber_id")
        .distinct()
        .count()
    )


def sending_switch() -> SendingSwitch:
    return SendingSwitch.objects.filter(id=1).first() or SendingSwitch(id=1)


def sending_switch_with_changer() -> SendingSwitch:
    """The kill switch with the member who threw it last (the console's home; 1 query)."""
    row = SendingSwitch.objects.filter(id=1).select_related("changed_by").first()
    return row or SendingSwitch(id=1)


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


def heartbeat_summary(role: str, *, stale_seconds: float) -> tuple[int, datetime | None]:
    """How many running (not stopped) processes of `role` beat within the last `stale_seconds`,
    and the newest beat of any running one (for /readyz and /metrics). Judged by the database's
    clock, which wrote the beats (notify.liveness), not this host's."""
    since = Now() - timedelta(seconds=stale_seconds)
    figures = ProcessHeartbeat.objects.filter(role=role, stopped_at__isnull=True).aggregate(
        fresh=Count("id", filter=Q(beat_at__gte=since)), newest=Max("beat_at")
    )
    return figures["fresh"], figures["newest"]


def delivery_counts() -> list[tuple[str, str, int]]:
    """Every delivery counted by (state, channel), for /metrics."""
    rows = Delivery.objects.values_list("state", "channel").annotate(n=Count("id")).order_by()
    return [(state, channel, n) for state, channel, n in rows]


# The deliveries the console's home counts: waiting to be sent, sent with no answer from the
# provider (resolved by hand), and given up.
WATCHED_DELIVERY_STATES = (DeliveryState.PENDING, DeliveryState.UNKNOWN, DeliveryState.FAILED)


def watched_delivery_counts() -> dict[DeliveryState, int]:
    """How many deliveries are pending, unknown and failed (0 for none), in that order; one
    query."""
    rows = Delivery.objects.filter(state__in=WATCHED_DELIVERY_STATES).values_list("state")
    counts = dict(rows.annotate(n=Count("id")).order_by())
    return {state: counts.get(state, 0) for state in WATCHED_DELIVERY_STATES}


def oldest_pending_delivery() -> datetime | None:
    """When the oldest delivery still waiting to be sent was created."""
    return Delivery.objects.filter(state=DeliveryState.PENDING).aggregate(at=Min("created_at"))[
        "at"
    ]


def notifications_awaiting_fanout() -> int:
    """Notifications written but not yet fanned out to their subscribers."""
    return Notification.objects.filter(fanned_out_at__isnull=True).count()


def sms_subscribers(number: str) -> QuerySet[Subscriber]:
    """The SMS subscriptions of a phone number, whatever their state (one at most)."""
    return Subscriber.objects.filter(channel=Channel.SMS, address=number)


def sms_language(number: str) -> str:
    """The language a phone number's SMS subscription reads (English when it has none)."""
    language = sms_subscribers(number).values_list("language", flat=True).first()
    return language or Language.EN


def active_sms_subscriber(number: str) -> Subscriber | None:
    """The phone number's SMS subscription when it is active (confirmed, neither stopped nor
    suspended), else None."""
    subscriber = sms_subscribers(number).first()
    return subscriber if subscriber is not None and subscriber.is_active else None


def sms_delivery(delivery_key: str) -> Delivery | None:
    """The SMS delivery an idempotency key (noroshi-<notification>-<subscriber>) names, with
    its subscriber."""
    match = re.fullmatch(r"noroshi-([0-9]+)-([0-9]+)", delivery_key or "")
    if match is None:
        return None
    return (
        Delivery.objects.select_related("subscriber")
        .filter(notification_id=match[1], subscriber_id=match[2], channel=Channel.SMS)
        .first()
    )


def followed_components(subscriber: Subscriber) -> QuerySet[Component]:
    """The components a subscription is limited to (none: everything), with their groups;
    lazy, so that a page that does not show them does not read them."""
    return subscriber.components.select_related("group")


def notifications(*, incident: Incident | None = None) -> QuerySet[Notification]:
    """Announcements, newest first, with what they are about (the management API's list)."""
    rows = Notification.objects.select_related(
        "incident", "update", "component_change__component"
    ).order_by("-created_at", "-id")
    return rows.filter(incident=incident) if incident is not None else rows


def notification_by_id(pk: int) -> Notification | None:
    return notifications().filter(pk=pk).first()


def delivery_states_of(notification_ids: list[int]) -> dict[int, dict[str, int]]:
    """Deliveries counted by state for each of these notifications (one query)."""
    table: dict[int, dict[str, int]] = {pk: {} for pk in notification_ids}
    rows = (
        Delivery.objects.filter(notification_id__in=notification_ids)
        .values_list("notification_id", "state")
        .annotate(n=Count("id"))
        .order_by()
    )
    for notification_id, state, n in rows:
        table[notification_id][state] = n
    return table


def deliveries_of(
    notification_id: int, *, state: str = "", channel: str = ""
) -> QuerySet[Delivery]:
    """One notification's deliveries with their subscribers, oldest first."""
    rows = Delivery.objects.filter(notification_id=notification_id).select_related("subscriber")
    if state:
        rows = rows.filter(state=state)
    if channel:
        rows = rows.filter(channel=channel)
    return rows.order_by("id")


# A subscriber's state as the management API names it (Statuspage's names; "quarantined" is
# a suspended subscriber): each subscriber is in exactly one.
SUBSCRIBER_STATES: dict[str, Q] = {
    "active": Q(
        confirmed_at__isnull=False, unsubscribed_at__isnull=True, suspended_at__isnull=True
    ),
    "unconfirmed": Q(
        confirmed_at__isnull=True, unsubscribed_at__isnull=True, suspended_at__isnull=True
    ),
    "quarantined": Q(suspended_at__isnull=False, unsubscribed_at__isnull=True),
    "unsubscribed": Q(unsubscribed_at__isnull=False),
}
# The orders a list of subscribers may be read in: by address, when it subscribed, when it was
# quarantined, or by how well the address matches a search.
SUBSCRIBER_ORDERS = ("primary", "created_at", "quarantined_at", "relevance")


# The states that decide the answer to a sign-up, by those names.
STATE_NAMES = {
    answers.PENDING: "unconfirmed",
    answers.CONFIRMED: "active",
    answers.SUSPENDED: "quarantined",
    answers.UNSUBSCRIBED: "unsubscribed",
}


def subscriber_state(subscriber: Subscriber) -> str:
    """The one of SUBSCRIBER_STATES `subscriber` is in."""
    return STATE_NAMES[answers.subscription_state(subscriber)]


def subscribers_for_management(
    *,
    state: str | None = None,
    channel: str | None = None,
    incident: Incident | None = None,
    search: str = "",
    whole_address: bool = False,
    order: str = "primary",
    descending: bool = False,
) -> QuerySet[Subscriber]:
    """Subscribers in `state` (None: any), of one channel, subscribed to one incident, whose
    address contains `search` — or is it, with `whole_address` (a reader who sees addresses
    masked must not find them out a letter at a time) — in `order`, with the components they
    follow. Slack subscribers are never searched: their address is a credential."""
    rows = Subscriber.objects.select_related("incident").prefetch_related("components")
    if state is not None:
        rows = rows.filter(SUBSCRIBER_STATES[state])
    if channel is not None:
        rows = rows.filter(channel=channel)
    if incident is not None:
        rows = rows.filter(incident=incident)
    if search:
        found = Q(address__iexact=search) if whole_address else Q(address__icontains=search)
        rows = rows.filter(found).exclude(channel=Channel.SLACK)
    return rows.order_by(*subscriber_order(order, descending, search))


def subscriber_order(order: str, descending: bool, search: str) -> list:
    """The ORDER BY of a list of subscribers; the id breaks ties."""
    if order == "relevance":
        first: Case | F = Case(
            When(address__iexact=search, then=0),
            When(address__istartswith=search, then=1),
            default=2,
        )
    else:
        column = {
            "primary": "address",
            "created_at": "created_at",
            "quarantined_at": "suspended_at",
        }
        first = F(column[order])
    if descending:
        return [first.desc(nulls_last=True), F("address").desc(), "-id"]
    return [first.asc(nulls_last=True), F("address").asc(), "id"]


def subscriber_for_management(public_id: str, *, incident: Incident | None = None) -> Subscriber:
    """One subscriber (of one incident, when given) with the components it follows; raises
    Subscriber.DoesNotExist."""
    rows = Subscriber.objects.select_related("incident").prefetch_related("components")
    rows = rows.filter(public_id=public_id)
    if incident is not None:
        rows = rows.filter(incident=incident)
    return rows.get()


def has_subscription(*, channel: str, address: str) -> bool:
    """Whether an address (in its stored form) has a subscription, in any state."""
    return Subscriber.objects.filter(channel=channel, address=address).exists()


def subscribers_by_public_id(public_ids: list[str]) -> dict[str, Subscriber]:
    """The subscribers among `public_ids` (unknown ids are simply absent)."""
    return {s.public_id: s for s in Subscriber.objects.filter(public_id__in=public_ids)}


def subscriber_counts(*, state: str | None = None, channel: str | None = None) -> dict[str, int]:
    """How many subscribers in `state` (None: any) each channel has (of one channel, when
    given); every channel is named, 0 for none. One query."""
    rows = Subscriber.objects.all()
    if state is not None:
        rows = rows.filter(SUBSCRIBER_STATES[state])
    if channel is not None:
        rows = rows.filter(channel=channel)
    counts = dict(rows.values_list("channel").annotate(n=Count("id")).order_by())
    return {name: counts.get(name, 0) for name in Channel.values}


def subscriber_histogram() -> dict[str, dict[str, int]]:
    """How many subscribers each channel has in each of SUBSCRIBER_STATES; every channel and
    state named, 0 for none. One query."""
    per_state = {state: Count("id", filter=where) for state, where in SUBSCRIBER_STATES.items()}
    rows = Subscriber.objects.values_list("channel").annotate(**per_state).order_by()
    counts = {channel: dict(zip(per_state, figures, strict=True)) for channel, *figures in rows}
    empty = dict.fromkeys(SUBSCRIBER_STATES, 0)
    return {name: counts.get(name, dict(empty)) for name in Channel.values}
