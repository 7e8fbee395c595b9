"""Reads of the management API's keys."""

from incidents.models import ApiKey
from incidents.models.api_keys import secret_digest


def api_key_for_secret(secret: str) -> ApiKey | None:
    """The key whose secret `secret` is, with its user, whatever its state: revoked, expired
    and deactivated users' keys are returned too, for the caller to say which it is. None for
    a secret no key has. One query, by the digest's unique index."""
    if not secret:
        return None
    return ApiKey.objects.select_related("user").filter(digest=secret_digest(secret)).first()
