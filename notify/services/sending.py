"""Writes of the sending: the kill switch, the sweep, and settling or retrying deliveries by
hand. Anything queued is queued after commit, best-effort (notify.on_commit)."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from incidents.services.audit import record_audit, saved_user
from notify import liveness
from notify.choices import Channel, DeliveryState
from notify.delivery import takeover
from notify.delivery.switch import announce_pause
from notify.models import Delivery, Notification, ProcessHeartbeat, SendingSwitch, Subscriber
from notify.on_commit import sends_on_commit, sweep_on_commit

# Fan-out is queued on commit; a notification still not fanned out this long after is
# assumed lost between commit and queue, and fanned out by the sweep.
FAN_OUT_GRACE = timedelta(seconds=5)


@transaction.atomic
def pause_sending(*, actor=None, reason: str = "") -> SendingSwitch:
    """Throw the kill switch: from now on no delivery is claimed, and a claimed one that has
    not reached its provider is given back."""
    switch = set_switch(paused=True, reason=reason, actor=actor)
    record_audit(actor=actor, action="pause_sending", target=switch, summary=reason)
    announce_pause()  # on commit, to the workers watching between the messages of a group
    return switch


@transaction.atomic
def resume_sending(*, actor=None) -> SendingSwitch:
    """Resume sending where it stopped: pending deliveries go back to the broker on commit."""
    switch = set_switch(paused=False, reason="", actor=actor)
    Delivery.objects.filter(state=DeliveryState.PENDING).update(enqueued_at=None)
    record_audit(actor=actor, action="resume_sending", target=switch)
    sweep_on_commit()
    return switch


def set_switch(*, paused: bool, reason: str, actor) -> SendingSwitch:
    switch, _ = SendingSwitch.objects.select_for_update().get_or_create(id=1)
    switch.paused, switch.reason, switch.changed_at = paused, reason[:500], timezone.now()
    switch.changed_by = saved_user(actor)
    switch.save(update_fields=["paused", "reason", "changed_at", "changed_by"])
    return switch


@dataclass
class SweepResult:
    fan_out: list[int] = field(default_factory=list)
    requeue: list[int] = field(default_factory=list)
    confirm: list[int] = field(default_factory=list)  # subscribers owed the answer to a sign-up
    unknown: int = 0
    retried: int = 0
    forgotten_processes: int = 0


@transaction.atomic
def sweep(*, limit: int = 20000) -> SweepResult:
    """Find what fell between the cracks: notifications not fanned out, pending deliveries
    nobody is working on (marked enqueued here, so that two sweeps at once — two beats — hand
    each over once), and deliveries still `sending` that no live worker holds (never re-sent
    blindly: e-mail and SMS become `unknown`, webhooks are retried under the same idempotency
    key). A worker that dies is taken over by the live ones within seconds
    (notify.delivery.takeover); the sweep settles what that leaves: rows of a process that
    stopped, and rows claimed by a process that had no heartbeat, once NOTIFY_STUCK_SECONDS
    have passed. And the sign-ups whose answer is owed and was never claimed."""
    now = timezone.now()
    result = SweepResult()
    result.fan_out = list(
        Notification.objects.filter(fanned_out_at__isnull=True, created_at__lt=now - FAN_OUT_GRACE)
        .order_by("id")
        .values_list("id", flat=True)[:1000]
    )
    settle_stuck(result, now)
    result.confirm = owed_answers(now)
    if not SendingSwitch.objects.filter(id=1, paused=True).exists():
        requeue_after = timedelta(seconds=settings.NOTIFY_REQUEUE_SECONDS)
        due = (
            Delivery.objects.filter(state=DeliveryState.PENDING)
            .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - requeue_after))
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        )
        # Rows another sweep is handing over right now are skipped; once it commits they are
        # no longer idle.
        taken = due.order_by("id").select_for_update(skip_locked=True).values_list("id", flat=True)
        result.requeue = sorted(set(result.requeue) | set(taken[:limit]))
        Delivery.objects.filter(pk__in=result.requeue).update(enqueued_at=now)
    result.forgotten_processes = liveness.forget_long_stopped()
    return result


def owed_answers(now) -> list[int]:
    """Subscribers owed the answer to a sign-up that no worker claimed by its due time (the
    broker did not take it, or lost it); each is due again NOTIFY_REQUEUE_SECONDS later, so
    that the next sweeps leave it to the worker that has it queued. Rows another sweep is
    handing over right now are skipped (two beats hand each over once)."""
    due = Subscriber.objects.filter(confirmation_due_at__lte=now).order_by("confirmation_due_at")
    ids = list(due.select_for_update(skip_locked=True).values_list("id", flat=True)[:1000])
    again = now + timedelta(seconds=settings.NOTIFY_REQUEUE_SECONDS)
    Subscriber.objects.filter(pk__in=ids).update(confirmation_due_at=again)
    return ids


def settle_stuck(result: SweepResult, now) -> None:
    """Rows left `sending` by a worker process that stopped, or claimed by a process without a
    heartbeat and not finished within NOTIFY_STUCK_SECONDS."""
    stopped = ProcessHeartbeat.objects.filter(stopped_at__isnull=False).values("pk")
    orphaned = Delivery.objects.filter(state=DeliveryState.SENDING, claimed_by__in=stopped)
    for process_id in set(orphaned.values_list("claimed_by_id", flat=True)):
        settled = takeover.settle(process_id, [])
        result.unknown += settled.unknown
        result.requeue += settled.requeue
    stuck_after = timedelta(seconds=settings.NOTIFY_STUCK_SECONDS)
    stuck = Delivery.objects.filter(
        state=DeliveryState.SENDING, claimed_by__isnull=True, claimed_at__lt=now - stuck_after
    )
    result.retried = stuck.filter(channel=Channel.WEBHOOK).update(
        state=DeliveryState.PENDING, enqueued_at=None, error=takeover.LOST_WEBHOOK
    )
    result.unknown += stuck.exclude(channel=Channel.WEBHOOK).update(
        state=DeliveryState.UNKNOWN, finished_at=now, error=takeover.LOST
    )


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
        sends_on_commit(ids)
    return ids
