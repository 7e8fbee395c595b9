"""The storm guard: at most NOROSHI_STORM_MAX_MESSAGES messages per subscriber per
NOROSHI_STORM_WINDOW_SECONDS; what is held waits for the window (it stays pending, due later),
and an update is folded into a newer pending one about the same incident.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from notify.choices import Channel, DeliveryState
from notify.models import Delivery

# The storm guard is for channels that reach people. Webhooks are exempt: a receiver is a
# program keeping its own copy of the page (partners relay from it), which wants every event in
# order and drops repeats by the idempotency key; a component event (no incident) has no later
# message that could carry it, so it is neither held nor folded on any channel.
GUARDED_CHANNELS = frozenset({Channel.EMAIL, Channel.SMS, Channel.SLACK})


@dataclass(frozen=True)
class Hold:
    delay: timedelta
    reason: str


class StormGuard:
    """At most NOROSHI_STORM_MAX_MESSAGES per subscriber per NOROSHI_STORM_WINDOW_SECONDS
    (0 turns it off); an update announcement is folded into a newer pending one about the same
    incident, whose message repeats it under "Earlier updates".

    The figures of a whole batch are read in one query each (sent within the window: the index
    delivery_sent_recently; the newer pending deliveries) and kept up to date as the batch
    sends. Two batches sending to one subscriber at once each see only what the other had
    committed when they started, so the cap may then be passed by one message per batch.
    """

    def __init__(self, deliveries: list[Delivery]):
        self.limit = settings.NOROSHI_STORM_MAX_MESSAGES
        self.window = timedelta(seconds=settings.NOROSHI_STORM_WINDOW_SECONDS)
        self.sent: dict[int, list[datetime]] = {}
        self.newest: dict[tuple[int, str, int | None], tuple[int, int]] = {}
        self.load(deliveries)

    def load(self, deliveries: list[Delivery]) -> None:
        guarded = [d for d in deliveries if d.channel in GUARDED_CHANNELS]
        subscribers = {d.subscriber_id for d in guarded} - set(self.sent)
        if subscribers and self.limit > 0:
            self.read_sent(subscribers)
        updates = [d for d in guarded if d.notification.update_id is not None]
        if updates:
            self.read_newer(updates)

    def read_sent(self, subscribers: set[int]) -> None:
        since = timezone.now() - self.window
        rows = (
            Delivery.objects.filter(
                subscriber_id__in=subscribers, state=DeliveryState.SENT, finished_at__gt=since
            )
            .order_by("finished_at")
            .values_list("subscriber_id", "finished_at")
        )
        self.sent.update({subscriber: [] for subscriber in subscribers})
        for subscriber, finished_at in rows:
            if finished_at is not None:  # always set on a sent row; the type allows None
                self.sent[subscriber].append(finished_at)

    def read_newer(self, deliveries: list[Delivery]) -> None:
        rows = Delivery.objects.filter(
            subscriber_id__in={d.subscriber_id for d in deliveries},
            state=DeliveryState.PENDING,
            notification__incident_id__in={d.notification.incident_id for d in deliveries},
            notification__update__isnull=False,
            notification_id__gt=min(d.notification_id for d in deliveries),
        ).values_list(
            "pk", "subscriber_id", "channel", "notification__incident_id", "notification_id"
        )
        for pk, subscriber, channel, incident, notification in rows:
            key = (subscriber, channel, incident)
            if key not in self.newest or self.newest[key][0] < notification:
                self.newest[key] = (notification, pk)

    def newer_pending(self, delivery: Delivery) -> int | None:
        """The id of a pending delivery to the same subscriber on the same channel of a later
        update of the same incident (None when there is none)."""
        if delivery.channel not in GUARDED_CHANNELS or delivery.notification.update_id is None:
            return None
        key = (delivery.subscriber_id, delivery.channel, delivery.notification.incident_id)
        newest = self.newest.get(key)
        return newest[1] if newest and newest[0] > delivery.notification_id else None

    def hold(self, delivery: Delivery) -> Hold | None:
        """How long to hold this delivery back (None: send it now)."""
        if delivery.channel not in GUARDED_CHANNELS or self.limit <= 0:
            return None
        now = timezone.now()
        recent = [at for at in self.sent.get(delivery.subscriber_id, []) if at > now - self.window]
        self.sent[delivery.subscriber_id] = recent
        if len(recent) < self.limit:
            return None
        due = recent[-self.limit] + self.window  # the window then lets one more through
        reason = (
            f"held by the storm guard: {len(recent)} messages in the last "
            f"{self.window.total_seconds():g} s; due again at {due.isoformat()}"
        )
        return Hold(delay=due - now, reason=reason)

    def note_sent(self, delivery: Delivery) -> None:
        self.sent.setdefault(delivery.subscriber_id, []).append(timezone.now())
