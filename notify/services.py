"""Writes of the notifications: subscribe, confirm, unsubscribe, the kill switch, the sweep.

Each validates first (ValidationError with a precise message, nothing written) and defers
anything that talks to the outside world (a confirmation e-mail, a queued task) until after
commit.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from incidents.models import Component, Incident
from incidents.services.audit import record_audit, saved_user
from notify import channels
from notify.choices import Channel, DeliveryState, Language
from notify.models import Delivery, Notification, SendingSwitch, Subscriber

# Fan-out is queued on commit; a notification still not fanned out this long after is
# assumed lost between commit and queue, and fanned out by the sweep.
FAN_OUT_GRACE = timedelta(seconds=5)


def normalised_address(channel: str, address: str) -> str:
    """The address in its stored form, checked by its channel (ValidationError otherwise)."""
    reason = channels.disabled_reason(channel)
    if reason:
        raise ValidationError({"channel": reason})
    cls = channels.channel_class(channel)
    assert cls is not None
    return cls.normalise(address)


@transaction.atomic
def subscribe(
    *,
    channel: str,
    address: str,
    language: str = Language.EN,
    components: list[Component] | None = None,
    incident: Incident | None = None,
    ip: str | None = None,
) -> Subscriber:
    """Record a subscription, unconfirmed, and send its confirmation after commit.

    Subscribing an address again renews the request (a new confirmation) without duplicating
    it. Raises ValidationError for a disabled channel, a bad address or language.
    """
    address = normalised_address(channel, address)
    if language not in Language.values:
        raise ValidationError({"language": f"“{language}” is not a language of this page."})
    now = timezone.now()
    subscriber, created = Subscriber.objects.select_for_update().get_or_create(
        channel=channel,
        address=address,
        defaults={"language": language, "incident": incident, "consent_ip": ip},
    )
    if not created:
        subscriber.language, subscriber.incident, subscriber.consent_ip = language, incident, ip
        subscriber.unsubscribed_at = None
        subscriber.confirmed_at = subscriber.confirmed_at if subscriber.is_active else None
        subscriber.consent_at = subscriber.updated_at = now
        subscriber.save(
            update_fields=[
                "language", "incident", "consent_ip", "unsubscribed_at", "confirmed_at",
                "consent_at", "updated_at",
            ]
        )  # fmt: skip
    subscriber.components.set(components or [])
    if not subscriber.confirmed_at:
        transaction.on_commit(lambda: queue_confirmation(subscriber.pk))
    return subscriber


def queue_confirmation(subscriber_id: int) -> None:
    from notify.tasks import send_confirmation

    send_confirmation.delay(subscriber_id)


@transaction.atomic
def confirm(*, subscriber: Subscriber) -> Subscriber:
    """Confirm a subscription (double opt-in); confirming twice changes nothing."""
    Subscriber.objects.filter(pk=subscriber.pk, confirmed_at__isnull=True).update(
        confirmed_at=timezone.now(), updated_at=timezone.now()
    )
    subscriber.refresh_from_db()
    return subscriber


@transaction.atomic
def unsubscribe(*, subscriber: Subscriber) -> Subscriber:
    """Stop every message to this subscriber; unsubscribing twice changes nothing."""
    Subscriber.objects.filter(pk=subscriber.pk, unsubscribed_at__isnull=True).update(
        unsubscribed_at=timezone.now(), updated_at=timezone.now()
    )
    subscriber.refresh_from_db()
    return subscriber


@transaction.atomic
def pause_sending(*, actor=None, reason: str = "") -> SendingSwitch:
    """Throw the kill switch: from now on no delivery is claimed, and a claimed one that has
    not reached its provider is given back."""
    switch = set_switch(paused=True, reason=reason, actor=actor)
    record_audit(actor=actor, action="pause_sending", target=switch, summary=reason)
    return switch


@transaction.atomic
def resume_sending(*, actor=None) -> SendingSwitch:
    """Resume sending where it stopped: pending deliveries go back to the broker on commit."""
    switch = set_switch(paused=False, reason="", actor=actor)
    Delivery.objects.filter(state=DeliveryState.PENDING).update(enqueued_at=None)
    record_audit(actor=actor, action="resume_sending", target=switch)
    transaction.on_commit(queue_sweep)
    return switch


def set_switch(*, paused: bool, reason: str, actor) -> SendingSwitch:
    switch, _ = SendingSwitch.objects.select_for_update().get_or_create(id=1)
    switch.paused, switch.reason, switch.changed_at = paused, reason[:500], timezone.now()
    switch.changed_by = saved_user(actor)
    switch.save(update_fields=["paused", "reason", "changed_at", "changed_by"])
    return switch


def queue_sweep() -> None:
    from notify.tasks import sweep

    sweep.delay()


@dataclass
class SweepResult:
    fan_out: list[int] = field(default_factory=list)
    requeue: list[int] = field(default_factory=list)
    unknown: int = 0
    retried: int = 0


@transaction.atomic
def sweep(*, limit: int = 20000) -> SweepResult:
    """Find what fell between the cracks: notifications not fanned out, pending deliveries
    nobody is working on, deliveries whose worker died mid-send (never re-sent blindly:
    e-mail and SMS become `unknown`, webhooks are retried under the same idempotency key)."""
    now = timezone.now()
    result = SweepResult()
    result.fan_out = list(
        Notification.objects.filter(fanned_out_at__isnull=True, created_at__lt=now - FAN_OUT_GRACE)
        .order_by("id")
        .values_list("id", flat=True)[:1000]
    )
    stuck_after = timedelta(seconds=settings.NOTIFY_STUCK_SECONDS)
    stuck = Delivery.objects.filter(state=DeliveryState.SENDING, claimed_at__lt=now - stuck_after)
    result.retried = stuck.filter(channel=Channel.WEBHOOK).update(
        state=DeliveryState.PENDING, enqueued_at=None, error="worker lost while sending"
    )
    result.unknown = stuck.exclude(channel=Channel.WEBHOOK).update(
        state=DeliveryState.UNKNOWN,
        finished_at=now,
        error="The worker stopped while sending: it may or may not have been delivered.",
    )
    requeue_after = timedelta(seconds=settings.NOTIFY_REQUEUE_SECONDS)
    if not SendingSwitch.objects.filter(id=1, paused=True).exists():
        due = (
            Delivery.objects.filter(state=DeliveryState.PENDING)
            .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - requeue_after))
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        )
        result.requeue = list(due.order_by("id").values_list("id", flat=True)[:limit])
    return result


@transaction.atomic
def resolve_unknown(*, delivery: Delivery, delivered: bool, actor=None) -> Delivery:
    """Settle an `unknown` delivery by hand: the operator checked it arrived (sent) or not
    (failed). Only `unknown` rows change; anything else raises ValidationError."""
    state = DeliveryState.SENT if delivered else DeliveryState.FAILED
    changed = Delivery.objects.filter(pk=delivery.pk, state=DeliveryState.UNKNOWN).update(
        state=state, error=f"resolved by hand as {state}", finished_at=timezone.now()
    )
    if not changed:
        raise ValidationError("Only a delivery whose outcome is unknown can be resolved by hand.")
    delivery.refresh_from_db()
    record_audit(actor=actor, action="resolve_delivery", target=delivery, summary=state)
    return delivery


@transaction.atomic
def retry_deliveries(*, deliveries, actor=None) -> list[int]:
    """Send failed or `unknown` deliveries again, by an operator's decision (for an `unknown`
    one the console warns that it may then arrive twice). Sent, skipped and coalesced ones are
    never touched. Returns the ids queued again, after commit."""
    retryable = (DeliveryState.FAILED, DeliveryState.UNKNOWN)
    ids = list(deliveries.filter(state__in=retryable).values_list("pk", flat=True))
    Delivery.objects.filter(pk__in=ids, state__in=retryable).update(
        state=DeliveryState.PENDING,
        next_attempt_at=None,
        enqueued_at=None,
        finished_at=None,
        error="retried by hand",
    )
    if ids:
        record_audit(
            actor=actor, action="retry_deliveries", target=Delivery, summary=f"{len(ids)} queued"
        )
        transaction.on_commit(lambda: queue_deliveries(ids))
    return ids


def queue_deliveries(delivery_ids: list[int]) -> None:
    from notify.tasks import queue_sends

    queue_sends(delivery_ids)
