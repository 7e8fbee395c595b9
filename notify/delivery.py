"""Sending deliveries exactly once: claim with a conditional UPDATE, send, record the outcome.

Only the worker whose UPDATE … WHERE state = 'pending' changed the row sends it; the kill
switch is part of that WHERE, and is read again just before the provider call. Each outcome
is written the moment it is known, with a conditional UPDATE from 'sending', so final states
stay final whatever a late or repeated task does.
"""

import logging
from datetime import timedelta

from django.db.models import Exists, F, Q
from django.utils import timezone

from notify import channels
from notify.channels.base import (
    Envelope,
    PermanentError,
    RetryableError,
    UnknownOutcome,
)
from notify.choices import Channel, DeliveryState
from notify.models import Delivery, SendingSwitch, Subscriber, masked
from notify.signing import unsubscribe_url

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
SUSPEND_AFTER_FAILURES = 3


def sending_paused() -> bool:
    return SendingSwitch.objects.filter(id=1, paused=True).exists()


def claim(delivery_id: int) -> bool:
    """Take a due pending delivery for sending; False when another worker has it, it is not
    due, it is final, or sending is paused."""
    now = timezone.now()
    claimed = (
        Delivery.objects.filter(pk=delivery_id, state=DeliveryState.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(~Exists(SendingSwitch.objects.filter(id=1, paused=True)))
        .update(state=DeliveryState.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    return claimed == 1


def finish(delivery_id: int, *, state: str, provider_id: str = "", error: str = "") -> bool:
    """Record a final outcome (or `unknown`) of a delivery this worker is sending."""
    return bool(
        Delivery.objects.filter(pk=delivery_id, state=DeliveryState.SENDING).update(
            state=state, provider_id=provider_id, error=error[:2000], finished_at=timezone.now()
        )
    )


def release(delivery_id: int, *, error: str = "", delay: timedelta | None = None) -> None:
    """Give a claimed delivery back (not sent): due again at once or after `delay`."""
    Delivery.objects.filter(pk=delivery_id, state=DeliveryState.SENDING).update(
        state=DeliveryState.PENDING,
        next_attempt_at=timezone.now() + delay if delay else None,
        enqueued_at=None,
        error=error[:2000],
    )


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 1800))


def note_failure(subscriber: Subscriber, reason: str) -> None:
    """Count a permanent failure; suspend the subscriber after SUSPEND_AFTER_FAILURES."""
    Subscriber.objects.filter(pk=subscriber.pk).update(
        consecutive_failures=F("consecutive_failures") + 1
    )
    Subscriber.objects.filter(
        pk=subscriber.pk,
        consecutive_failures__gte=SUSPEND_AFTER_FAILURES,
        suspended_at__isnull=True,
    ).update(suspended_at=timezone.now(), suspended_reason=reason[:500])


def note_success(subscriber: Subscriber) -> None:
    Subscriber.objects.filter(pk=subscriber.pk, consecutive_failures__gt=0).update(
        consecutive_failures=0
    )


class Batch:
    """One task's deliveries: channels opened once, each message rendered once per language."""

    def __init__(self):
        self.open_channels: dict[str, channels.Channel] = {}
        self.rendered: dict[tuple[int, str, str], object] = {}
        self.counts: dict[str, int] = {}
        self.enabled = set(channels.enabled_channels())

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

    def close(self) -> None:
        for channel in self.open_channels.values():
            channel.close()


def deliver_batch(delivery_ids: list[int]) -> dict[str, int]:
    """Send each of these deliveries that this worker can claim; return counts by outcome.

    Safe to run twice, or at the same time as another worker, on the same ids.
    """
    batch = Batch()
    rows = dict(Delivery.objects.filter(pk__in=delivery_ids).values_list("pk", "channel"))
    try:
        for delivery_id in delivery_ids:
            channel_name = rows.get(delivery_id)
            if channel_name is None or channel_name not in batch.enabled:
                batch.count("not_claimed" if channel_name is None else "channel_disabled")
                continue
            wait = batch.channel(channel_name).throttle()
            if wait > 0:
                postpone(delivery_id, timedelta(seconds=wait))
                batch.count("throttled")
                continue
            if not claim(delivery_id):
                batch.count("not_claimed")
                continue
            batch.count(deliver_claimed(delivery_id, batch))
    finally:
        batch.close()
    return batch.counts


def postpone(delivery_id: int, delay: timedelta) -> None:
    """Leave a pending delivery for later (its channel is at its rate limit): the sweep hands
    it over again once it is due."""
    Delivery.objects.filter(pk=delivery_id, state=DeliveryState.PENDING).update(
        next_attempt_at=timezone.now() + delay, enqueued_at=None
    )


def deliver_claimed(delivery_id: int, batch: Batch) -> str:
    """Send one claimed delivery and record what happened; return the outcome's name."""
    delivery = Delivery.objects.select_related(
        "subscriber",
        "notification__incident",
        "notification__update",
        "notification__component_change__component",
    ).get(pk=delivery_id)
    subscriber = delivery.subscriber
    if sending_paused():  # thrown between the claim and now: nothing left, give it back
        release(delivery_id)
        return "released"
    if not subscriber.is_active:
        finish(delivery_id, state=DeliveryState.SKIPPED, error="subscriber no longer active")
        return "skipped"
    channel = batch.channel(delivery.channel)
    stale = channel.stale_reason(delivery)
    if stale:
        finish(delivery_id, state=DeliveryState.SKIPPED, error=stale)
        return "skipped"
    envelope = Envelope(
        address=subscriber.address,
        idempotency_key=delivery.idempotency_key,
        unsubscribe_url=unsubscribe_url(subscriber),
        secret=subscriber.secret,
        subscriber_id=subscriber.public_id,
    )
    try:
        provider_id = channel.send(batch.message(delivery), envelope)
    except PermanentError as error:
        finish(delivery_id, state=DeliveryState.FAILED, error=str(error))
        note_failure(subscriber, str(error))
        return "failed"
    except RetryableError as error:
        return retry_or_fail(delivery, str(error))
    except UnknownOutcome as error:
        logger.warning("delivery %s to %s: outcome unknown", delivery_id, masked(envelope.address))
        return settle_unknown(delivery, str(error))
    finish(delivery_id, state=DeliveryState.SENT, provider_id=provider_id)
    note_success(subscriber)
    return "sent"


def retry_or_fail(delivery: Delivery, error: str) -> str:
    if delivery.attempts >= MAX_ATTEMPTS:
        finish(delivery.pk, state=DeliveryState.FAILED, error=f"gave up: {error}")
        return "failed"
    release(delivery.pk, error=error, delay=backoff(delivery.attempts))
    return "retry"


def settle_unknown(delivery: Delivery, error: str) -> str:
    """Webhooks carry an idempotency key, so a receiver can drop a repeat: they are retried.
    E-mail and SMS are not: they wait, `unknown`, for an operator to resolve."""
    if delivery.channel == Channel.WEBHOOK:
        return retry_or_fail(delivery, error)
    finish(delivery.pk, state=DeliveryState.UNKNOWN, error=error)
    return "unknown"
