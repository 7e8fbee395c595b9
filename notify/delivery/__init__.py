"""Sending deliveries exactly once: claim with a conditional UPDATE, send, record the outcome.

Only the worker whose UPDATE … WHERE state = 'pending' changed a row sends it. The kill switch
and the subscriber's standing are part of that WHERE. Deliveries are claimed in groups of up to
GROUP in one statement, whose commit waits for the disk, after their rows are read and their
message rendered; the same statement writes the `sent` of the messages of the group before.
Between the messages of a group the worker watches the kill switch (notify.delivery.switch):
once it is thrown nothing more leaves but a message already handed to its provider, and the
rest of the group is given back. A channel that paces itself (SMS, Slack) is claimed one
delivery at a time, after its throttle. Other outcomes (failed, retry, unknown, skipped) are
written the moment they are known, with a conditional UPDATE from 'sending', so final states
stay final whatever a late or repeated task does.

A worker killed mid-group leaves that group's rows `sending`: sent, cut off, or not tried yet.
The sweep turns them into `unknown` (webhooks: retried under the same idempotency key) — never
into a second message. GROUP bounds how many; NOROSHI_CLAIM_GROUP=1 trades speed for one.
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from notify import channels
from notify.channels.base import (
    Envelope,
    PermanentError,
    RetryableError,
    UnknownOutcome,
)
from notify.choices import Channel, DeliveryState
from notify.delivery.claims import (
    MAX_ATTEMPTS,
    SUSPEND_AFTER_FAILURES,
    backoff,
    claim,
    claim_group,
    db_now,
    finish,
    note_failure,
    note_success,
    postpone,
    record_sent,
    release,
    sending_paused,
)
from notify.delivery.stormguard import GUARDED_CHANNELS, StormGuard
from notify.delivery.switch import SwitchWatch
from notify.models import Delivery, Notification, masked
from notify.signing import manage_url, unsubscribe_url

__all__ = [
    "GUARDED_CHANNELS",
    "MAX_ATTEMPTS",
    "SUSPEND_AFTER_FAILURES",
    "Batch",
    "backoff",
    "claim",
    "deliver_batch",
    "deliver_claimed",
    "finish",
    "group_size",
    "note_failure",
    "note_success",
    "release",
    "sending_paused",
    "settle_unknown",
]

logger = logging.getLogger(__name__)


def group_size() -> int:
    """Deliveries claimed in one statement (NOTIFY_CLAIM_GROUP, 16 unless set). A worker killed
    mid-group leaves at most this many rows for an operator to settle (`unknown`); a group held
    longer than half of NOTIFY_STUCK_SECONDS gives the rest back, so that the sweep never takes
    a row this worker is still to send."""
    return max(1, settings.NOTIFY_CLAIM_GROUP)


def fetch(delivery_ids: list[int]) -> list[Delivery]:
    """The deliveries with their subscribers and notifications, in the order of the ids, in
    two queries (a notification's rows are read once, not once per delivery)."""
    rows = Delivery.objects.filter(pk__in=delivery_ids).select_related("subscriber")
    by_id = {row.pk: row for row in rows}
    notifications = Notification.objects.filter(
        pk__in={row.notification_id for row in by_id.values()}
    ).select_related("incident", "update", "component_change__component")
    by_notification = {notification.pk: notification for notification in notifications}
    for row in by_id.values():
        row.notification = by_notification[row.notification_id]
    return [by_id[pk] for pk in dict.fromkeys(delivery_ids) if pk in by_id]


class Batch:
    """One task's deliveries: read together, channels opened once, each message rendered once
    per (notification, channel, language), and the storm guard's figures for all of them."""

    def __init__(self, deliveries: list[Delivery] | None = None):
        self.deliveries = deliveries or []
        self.open_channels: dict[str, channels.Channel] = {}
        self.rendered: dict[tuple[int, str, str], object] = {}
        self.counts: dict[str, int] = {}
        self.enabled = set(channels.enabled_channels())
        # A re-queued chunk holds rows already sent: the guard reads only for the pending ones.
        self.storm = StormGuard([d for d in self.deliveries if d.state == DeliveryState.PENDING])
        # Messages that went out and whose `sent` is written with the next claim.
        self.unrecorded: list[tuple[int, str, object]] = []
        self.switch: SwitchWatch | None = None  # watched from the first group's claim on

    def message(self, delivery: Delivery):
        key = (delivery.notification_id, delivery.channel, delivery.subscriber.language)
        if key not in self.rendered:
            channel = self.channel(delivery.channel)
            self.rendered[key] = channel.render(delivery.notification, delivery.subscriber.language)
        return self.rendered[key]

    def channel(self, name: str) -> channels.Channel:
        if name not in self.open_channels:
            self.open_channels[name] = channels.channel(name)
        return self.open_channels[name]

    def count(self, outcome: str) -> None:
        self.counts[outcome] = self.counts.get(outcome, 0) + 1

    def sent(self, delivery_id: int, provider_id: str) -> None:
        """A message went out: its `sent` is written with the batch's next claim, or when the
        batch ends or waits."""
        self.unrecorded.append((delivery_id, provider_id, db_now()))

    def take_unrecorded(self) -> list[tuple[int, str, object]]:
        unrecorded, self.unrecorded = self.unrecorded, []
        return unrecorded

    def record(self) -> None:
        """Write the outcomes still held, now."""
        record_sent(self.take_unrecorded())

    def watch_switch(self) -> SwitchWatch:
        """The kill switch's watch, begun (LISTEN) before the batch's first group claim, so that
        a throw commits either before that claim or where the watch sees it. A batch with
        nothing to claim never begins one."""
        if self.switch is None:
            self.switch = SwitchWatch()
        return self.switch

    def close(self) -> None:
        try:
            self.record()
        finally:
            if self.switch is not None:
                self.switch.close()
            for channel in self.open_channels.values():
                channel.close()


def deliver_batch(delivery_ids: list[int]) -> dict[str, int]:
    """Send each of these deliveries that this worker can claim; return counts by outcome.

    Safe to run twice, or at the same time as another worker, on the same ids.
    """
    batch = Batch(fetch(delivery_ids))
    try:
        batch.counts["not_claimed"] = len(delivery_ids) - len(batch.deliveries)
        group: list[Delivery] = []
        size = group_size()
        for delivery in batch.deliveries:
            refused = unclaimable(delivery, batch)
            if refused:
                batch.count(refused)
            elif paces(batch.channel(delivery.channel)):
                send_group(group, batch)
                group = []
                batch.count(deliver_paced(delivery, batch))
            else:
                batch.message(delivery)  # rendered now: nothing slow between claim and send
                group.append(delivery)
                if len(group) == size:
                    send_group(group, batch)
                    group = []
        send_group(group, batch)
    finally:
        batch.close()
    return {outcome: n for outcome, n in batch.counts.items() if n}


def unclaimable(delivery: Delivery, batch: Batch) -> str:
    """Why the claim of this delivery would fail, read from the batch's rows: spare it."""
    if delivery.state != DeliveryState.PENDING or (
        delivery.next_attempt_at and delivery.next_attempt_at > timezone.now()
    ):
        return "not_claimed"
    if delivery.channel not in batch.enabled:
        return "channel_disabled"
    return ""


def send_group(group: list[Delivery], batch: Batch) -> None:
    """Claim these deliveries in one statement and send those taken, one by one; before each
    but the first (whose claim read it) the kill switch is looked at again."""
    if not group:
        return
    switch = batch.watch_switch()
    taken = claim_group([delivery.pk for delivery in group], batch.take_unrecorded())
    for delivery in group:
        if delivery.pk not in taken:
            batch.count(not_taken(delivery.pk))
    claimed = [delivery for delivery in group if delivery.pk in taken]
    held_since = time.monotonic()
    for n, delivery in enumerate(claimed):
        # The claim read the switch for the first; each later one looks again.
        if n and (switch.paused() or held_too_long(held_since)):
            release([rest.pk for rest in claimed[n:]], attempted=False)
            batch.counts["released"] = batch.counts.get("released", 0) + len(claimed) - n
            return
        delivery.attempts += 1
        batch.count(send_claimed(delivery, batch))


def held_too_long(since: float) -> bool:
    return time.monotonic() - since > settings.NOTIFY_STUCK_SECONDS / 2


def not_taken(delivery_id: int) -> str:
    """A delivery the group's claim did not take: 'skipped' (final) when only its subscriber
    stopped since the fan-out, else 'not_claimed' (another worker has it, or it is paused)."""
    if claim(delivery_id):  # claimable, so it was the subscriber that failed the first claim
        finish(delivery_id, state=DeliveryState.SKIPPED, error="subscriber no longer active")
        return "skipped"
    return "not_claimed"


def deliver_paced(delivery: Delivery, batch: Batch) -> str:
    """Claim one delivery of a channel that paces itself, after its throttle, and send it."""
    channel = batch.channel(delivery.channel)
    batch.record()  # its throttle may wait: the last outcome is not kept waiting with it
    wait = channel.throttle(delivery.subscriber.address)
    if wait > 0:
        postpone(delivery.pk, timedelta(seconds=wait))
        return "throttled"
    batch.message(delivery)
    if not claim_group([delivery.pk]):
        return not_taken(delivery.pk)
    delivery.attempts += 1
    return send_claimed(delivery, batch)


def paces(channel: channels.Channel) -> bool:
    """Whether the channel has a throttle of its own (the base class's never waits)."""
    return type(channel).throttle is not channels.Channel.throttle


def deliver_claimed(delivery_id: int, batch: Batch) -> str:
    """Send one delivery claimed earlier and record what happened; return the outcome's name.

    The kill switch is read again first: it may have been thrown since the claim."""
    (delivery,) = fetch([delivery_id])
    batch.storm.load([delivery])
    if sending_paused():  # thrown between the claim and now: nothing left, give it back
        release(delivery_id, attempted=False)
        return "released"
    if not delivery.subscriber.is_active:
        finish(delivery_id, state=DeliveryState.SKIPPED, error="subscriber no longer active")
        return "skipped"
    try:
        return send_claimed(delivery, batch)
    finally:
        batch.record()


def send_claimed(delivery: Delivery, batch: Batch) -> str:
    """Send a delivery this worker has claimed, unless it is stale, folded into a newer one
    or held by the storm guard; record the outcome and return its name."""
    channel = batch.channel(delivery.channel)
    stale = channel.stale_reason(delivery)
    if stale:
        finish(delivery.pk, state=DeliveryState.SKIPPED, error=stale)
        return "skipped"
    newer = batch.storm.newer_pending(delivery)
    if newer is not None:
        error = f"coalesced into delivery {newer}, which carries this update"
        finish(delivery.pk, state=DeliveryState.COALESCED, error=error)
        return "coalesced"
    hold = batch.storm.hold(delivery)
    if hold is not None:
        release(delivery.pk, error=hold.reason, delay=hold.delay, attempted=False)
        return "held"
    outcome = send(delivery, channel, batch.message(delivery), batch)
    if outcome == "sent":
        batch.storm.note_sent(delivery)
    return outcome


def send(delivery: Delivery, channel: channels.Channel, message, batch: Batch) -> str:
    """One provider call, and its outcome recorded at once (`sent`: with the next claim)."""
    subscriber = delivery.subscriber
    envelope = Envelope(
        address=subscriber.address,
        idempotency_key=delivery.idempotency_key,
        unsubscribe_url=unsubscribe_url(subscriber),
        secret=subscriber.secret,
        subscriber_id=subscriber.public_id,
        manage_url=manage_url(subscriber),
    )
    try:
        provider_id = channel.send(message, envelope)
    except PermanentError as error:
        finish(delivery.pk, state=DeliveryState.FAILED, error=str(error))
        note_failure(subscriber, str(error))
        return "failed"
    except RetryableError as error:
        return retry_or_fail(delivery, str(error), retry_after=error.retry_after)
    except UnknownOutcome as error:
        logger.warning("delivery %s to %s: outcome unknown", delivery.pk, masked(envelope.address))
        return settle_unknown(delivery, str(error))
    batch.sent(delivery.pk, provider_id)
    # Read with the batch: most have no failures to forget. A channel whose provider reports
    # the outcome later forgets them on that report instead.
    if subscriber.consecutive_failures and not channel.reports_outcome_later:
        note_success(subscriber)
    return "sent"


def retry_or_fail(delivery: Delivery, error: str, *, retry_after: float | None = None) -> str:
    """Give the delivery back, due after the backoff — or after the provider's Retry-After
    when that is longer — unless it has had all its attempts."""
    if delivery.attempts >= MAX_ATTEMPTS:
        finish(delivery.pk, state=DeliveryState.FAILED, error=f"gave up: {error}")
        return "failed"
    delay = backoff(delivery.attempts)
    if retry_after is not None:
        delay = max(delay, timedelta(seconds=retry_after))
    release(delivery.pk, error=error, delay=delay)
    return "retry"


def settle_unknown(delivery: Delivery, error: str) -> str:
    """Webhooks carry an idempotency key, so a receiver can drop a repeat: they are retried.
    E-mail and SMS are not: they wait, `unknown`, for an operator to resolve."""
    if delivery.channel == Channel.WEBHOOK:
        return retry_or_fail(delivery, error)
    finish(delivery.pk, state=DeliveryState.UNKNOWN, error=error)
    return "unknown"
