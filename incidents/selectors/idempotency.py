"""Reads of idempotency keys."""

from incidents.models import IdempotencyKey


def idempotency_key(*, owner: str, key: str) -> IdempotencyKey | None:
    """The committed claim of `key` by `owner`, if any."""
    return IdempotencyKey.objects.filter(owner=owner, key=key).first()
