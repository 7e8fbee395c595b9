"""Writes of the sending: the kill switch, and settling or retrying deliveries by hand.
Anything queued is queued after commit, best-effort (notify.on_commit)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from incidents.services.audit import record_audit, saved_user
from notify.choices import DeliveryState
from notify.delivery.switch import announce_pause
from notify.models import Delivery, SendingSwitch
from notify.on_commit import sends_on_commit, sweep_on_commit


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
