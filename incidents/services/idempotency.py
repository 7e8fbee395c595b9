"""Writes of idempotency keys: claim a key in the transaction of the write it guards, record
what that write made, forget keys past their keeping time."""

from datetime import timedelta

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from incidents.models import IdempotencyKey
from incidents.services.audit import record_audit

# How long a key is kept: a retry later than this is a new request.
KEEP_KEYS = timedelta(hours=24)


def claim_idempotency_key(*, owner: str, key: str, fingerprint: str) -> IdempotencyKey | None:
    """Claim `key` for the write the caller is about to make in its open transaction; None when
    a committed write holds it already (idempotency_key() reads it).

    While another open transaction holds the same key, this waits (on PostgreSQL, on the
    unique index) until that one commits — None — or rolls back, when the key is claimed here.
    The claim is undone with the caller's transaction. Raises RuntimeError outside one.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Claim an idempotency key inside the transaction of its write.")
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(owner=owner, key=key, fingerprint=fingerprint)
    except IntegrityError:
        return None


def record_idempotent_result(
    claim: IdempotencyKey, *, result: models.Model | None = None, response: dict | None = None
) -> IdempotencyKey:
    """Record, in the write's transaction, what the write that claimed the key made (the
    console sends a retry there) and the answer a retry gets (the API replays it)."""
    if result is not None:
        claim.result_type = result._meta.label_lower
        claim.result_id = str(result.pk)
    claim.response = response
    claim.save(update_fields=["result_type", "result_id", "response"])
    return claim


def forget_idempotency_keys(*, now=None) -> int:
    """Delete the keys older than KEEP_KEYS; how many."""
    cutoff = (now or timezone.now()) - KEEP_KEYS
    with transaction.atomic():
        deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
        if deleted:
            summary = f"{deleted} kept since before {cutoff.isoformat()}"
            record_audit(
                actor=None, action="forget_idempotency_keys", target=IdempotencyKey, summary=summary
            )
    return deleted
