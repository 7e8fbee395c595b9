"""Sending deliveries exactly once: claim with a conditional UPDATE, mark, send, record.

Only the worker whose UPDATE … WHERE state = 'pending' changed a row sends it. The kill switch
and the subscriber's standing are part of that WHERE, and the claim records the claimant: the
worker process's heartbeat row (notify.liveness). Deliveries are claimed in groups of up to
GROUP in one statement, after their rows are read and their message rendered. Before each
message one statement records the `sent` of the message before and marks this one attempted
(notify.delivery.attempts) — on PostgreSQL overlapping the SMTP envelope's round trips — so
that each outcome is written as soon as the next message begins, and a worker killed at any
moment leaves at most the one message it was handing over without an outcome. Between the
messages of a group the worker watches the kill switch (notify.delivery.switch) and its own
stop (SIGTERM: notify.liveness.stopping): once either is set nothing more leaves but the
message in flight, and the rest of the group is given back (on a stop, queued again). A
channel that paces itself (SMS, Slack) is claimed one delivery at a time, after its throttle.
Other outcomes (failed, retry, unknown, skipped) are written the moment they are known, with a
conditional UPDATE from 'sending', so final states stay final whatever a late or repeated task
does.

A worker process that dies leaves its group's rows `sending`: one attempted (its outcome is
unknown), the others only claimed. A live worker process takes them over within seconds of its
last heartbeat (notify.delivery.takeover): the attempted one becomes `unknown` (webhooks:
retried under the same idempotency key) — never a second message — and the others go back to
pending and are queued again, with the pending rest of its task.
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from notify import channels, liveness
from notify.channels.base import (
    PermanentError,
    RetryableError,
    UnknownOutcome,
)
from notify.choices import Channel, DeliveryState
from notify.delivery import attempts
from notify.delivery.claims import (
    SUSPEND_AFTER_FAILURES,
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
from notify.delivery.envelopes import envelope_for
from notify.delivery.staleness import stale_reason
from notify.delivery.stormguard import GUARDED_CHANNELS, StormGuard
from notify.delivery.switch import SwitchWatch
from notify.messages import Announcement
from notify.messages.rendering import message_for
from notify.models import Delivery, Notification, masked
from notify.retry_rules import at_least_retry_after, backoff, gave_up, past_give_up

__all__ = [
    "GUARDED_CHANNELS",
    "SUSPEND_AFTER_FAILURES",
    "Batch",
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
    """Deliveries claimed in one statement (NOTIFY_CLAIM_GROUP, 16 unless set): one claim per
    group, one statement per message. Claimed rows a dead worker had not attempted go back to
    pending; a group held longer than half of NOTIFY_STUCK_SECONDS gives the rest back, so
    that the sweep never takes a row of a worker without a heartbeat that is still to send."""
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
    """One task's deliveries: read together, channels opened once, each announcement built
    once per (notification, language) and rendered once per channel, and the storm guard's
    figures for all of them."""

    def __init__(self, deliveries: list[Delivery] | None = None):
        self.deliveries = deliveries or []
        self.open_channels: dict[str, channels.Channel] = {}
        self.announcements: dict[tuple[int, str], Announcement] = {}
        self.rendered: dict[tuple[int, str, str], object] = {}
        self.counts: dict[str, int] = {}
        self.enabled = set(channels.enabled_channels())
        # A re-queued chunk holds rows already sent: the guard reads only for the pending ones.
        self.storm = StormGuard([d for d in self.deliveries if d.state == DeliveryState.PENDING])
        # Messages that went out and whose `sent` is written with the next claim.
        self.unrecorded: list[tuple[int, str, object]] = []
        self.switch: SwitchWatch | None = None  # watched from the first group's claim on

    def message(self, delivery: Delivery):
        language = delivery.subscriber.language
        key = (delivery.notification_id, delivery.channel, language)
        if key not in self.rendered:
            said = (delivery.notification_id, language)
            if said not in self.announcements:
                self.announcements[said] = Announcement(delivery.notification, language)
            self.rendered[key] = message_for(self.announcements[said], delivery.channel)
        return self.rendered[key]

    def channel(self, name: str) -> channels.Channel:
        if name not in self.open_channels:
            self.open_channels[name] = channels.channel(name)
        return self.open_channels[name]

    def count(self, outcome: str) -> None:
        self.counts[outcome] = self.counts.get(outcome, 0) + 1

    def sent(self, delivery_id: int, provider_id: str) -> None:
        """A message went out: its `sent` is written with the next message's mark, or with the
        next claim, or when the batch ends or waits, whichever comes first."""
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

    Safe to run twice, or at the same time as another worker, on the same ids. When this
    process is asked to stop, the message in flight is finished and the rest left pending (the
    task gives it back).
    """
    with liveness.sending:
        batch = Batch(fetch(delivery_ids))
        try:
            batch.counts["not_claimed"] = len(delivery_ids) - len(batch.deliveries)
            send_all(batch)
        finally:
            batch.close()
    return {outcome: n for outcome, n in batch.counts.items() if n}


def send_all(batch: Batch) -> None:
    """The batch's loop: groups of claims, paced channels one by one; it ends early when this
    process is asked to stop."""
    group: list[Delivery] = []
    size = group_size()
    for delivery in batch.deliveries:
        if liveness.stopping.is_set():
            break
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
    if not group or liveness.stopping.is_set():
        return
    switch = batch.watch_switch()
    ids = [delivery.pk for delivery in group]
    taken = claim_group(ids, batch.take_unrecorded(), liveness.identity())
    for delivery in group:
        if delivery.pk not in taken:
            batch.count(not_taken(delivery.pk))
    claimed = [delivery for delivery in group if delivery.pk in taken]
    held_since = time.monotonic()
    for n, delivery in enumerate(claimed):
        # The claim read the switch for the first; each later one looks again.
        if n and (switch.paused() or held_too_long(held_since) or liveness.stopping.is_set()):
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
    if not claim_group([delivery.pk], claimant=liveness.identity()):
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
    stale = stale_reason(delivery)
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
    """One provider call after the mark, and its outcome recorded at once (`sent`: with the
    next message's mark or claim)."""
    with attempts.until_handed_over(delivery.pk):
        return attempt(delivery, channel, message, batch)


def attempt(delivery: Delivery, channel: channels.Channel, message, batch: Batch) -> str:
    # The mark first: its commit runs while the links are signed and the envelope exchanged.
    mark = attempts.begin(delivery.pk, liveness.identity(), batch.take_unrecorded())
    subscriber = delivery.subscriber
    try:
        provider_id = hand_over(channel, message, delivery, mark)
    except attempts.NotHeld:  # this process was taken for dead: the row is another's now
        return "taken_over"
    except PermanentError as error:
        finish(delivery.pk, state=DeliveryState.FAILED, error=str(error))
        note_failure(subscriber, str(error))
        return "failed"
    except RetryableError as error:
        return retry_or_fail(delivery, str(error), retry_after=error.retry_after)
    except UnknownOutcome as error:
        logger.warning(
            "delivery %s to %s: outcome unknown", delivery.pk, masked(subscriber.address)
        )
        return settle_unknown(delivery, str(error))
    batch.sent(delivery.pk, provider_id)
    # Read with the batch: most have no failures to forget. A channel whose provider reports
    # the outcome later forgets them on that report instead.
    if subscriber.consecutive_failures and not channel.reports_outcome_later:
        note_success(subscriber)
    return "sent"


def hand_over(channel: channels.Channel, message, delivery: Delivery, mark) -> str:
    """The provider call; the channel waits for the mark at its last moment. The mark's result
    is read whatever happens, before anything else uses the connection."""

    def ready() -> None:
        mark.require()
        attempts.handed_over(delivery.pk)

    try:
        return channel.send_once_ready(message, envelope_for(delivery), ready)
    finally:
        mark.held()


def retry_or_fail(delivery: Delivery, error: str, *, retry_after: float | None = None) -> str:
    """Give the delivery back, due after the backoff — or after the provider's Retry-After
    when that is longer — however many tries it has had, until it is older than the give-up
    age (retry_rules.past_give_up): then it fails with its last error. A give-up is not counted
    towards the subscriber's suspension: after a provider's outage every subscriber has one."""
    if past_give_up(delivery.created_at):
        finish(delivery.pk, state=DeliveryState.FAILED, error=gave_up(error))
        return "failed"
    delay = at_least_retry_after(backoff(delivery.attempts), retry_after)
    release(delivery.pk, error=error, delay=delay)
    return "retry"


def settle_unknown(delivery: Delivery, error: str) -> str:
    """Webhooks carry an idempotency key, so a receiver can drop a repeat: they are retried.
    E-mail and SMS are not: they wait, `unknown`, for an operator to resolve."""
    if delivery.channel == Channel.WEBHOOK:
        return retry_or_fail(delivery, error)
    finish(delivery.pk, state=DeliveryState.UNKNOWN, error=error)
    return "unknown"
