"""Writes of the management API's keys: make one (its secret told once), revoke one, note a use."""

import ipaddress
import secrets
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.models import ApiKey
from incidents.models.api_keys import PREFIX_LENGTH, secret_digest
from incidents.services.audit import record_audit, saved_user

# Random bytes of a secret (43 URL-safe characters).
SECRET_BYTES = 32
# A key's last use is written at most this often: a busy script costs no write per request.
USE_NOTED_EVERY = timedelta(minutes=1)


def api_key_errors(*, user, name: str, expires_at: datetime | None) -> dict[str, str]:
    """What is wrong with a new key, by field."""
    errors = {}
    longest = ApiKey._meta.get_field("name").max_length or 0
    if not getattr(user, "pk", None) or not user.is_active:
        errors["user"] = _("This user is deactivated: keys acting as them are refused.")
    if not name:
        errors["name"] = _("Name the key after what will use it.")
    elif len(name) > longest:
        errors["name"] = _("At most %(count)d characters.") % {"count": longest}
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = _("The expiry must be in the future.")
    return errors


@transaction.atomic
def create_api_key(
    *, user, name: str, expires_at: datetime | None = None, actor
) -> tuple[ApiKey, str]:
    """Make an API key that acts as `user`, optionally until `expires_at`, and record it in the
    audit trail. Returns the row and the secret: only the secret's digest is kept, so this is
    the one time it can be shown.

    Raises ValidationError, naming the field and writing nothing, for an inactive or unsaved
    user, an empty or overlong name, or an expiry that is not in the future.
    """
    name = (name or "").strip()
    errors = api_key_errors(user=user, name=name, expires_at=expires_at)
    if errors:
        raise ValidationError(errors)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    api_key = ApiKey.objects.create(
        user=user,
        name=name,
        prefix=secret[:PREFIX_LENGTH],
        digest=secret_digest(secret),
        created_by=saved_user(actor),
        expires_at=expires_at,
    )
    expiry = f", expires {expires_at.isoformat()}" if expires_at else ""
    summary = f"{api_key.prefix}… “{name}” for {user.get_username()}{expiry}"
    record_audit(actor=actor, action="create_api_key", target=api_key, summary=summary)
    return api_key, secret


@transaction.atomic
def revoke_api_key(*, api_key: ApiKey, actor) -> ApiKey:
    """Revoke `api_key`: from now on every request bearing it is refused (401). Recorded in the
    audit trail. Raises ValidationError if it was revoked already (nothing is written)."""
    locked = ApiKey.objects.select_for_update().get(pk=api_key.pk)
    if locked.revoked_at is not None:
        raise ValidationError(
            _("The key %(prefix)s… (“%(name)s”) was already revoked.")
            % {"prefix": locked.prefix, "name": locked.name},
            code="revoked",
        )
    locked.revoked_at = api_key.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at"])
    summary = f"{locked.prefix}… “{locked.name}” of {locked.user.get_username()}"
    record_audit(actor=actor, action="revoke_api_key", target=locked, summary=summary)
    return locked


def note_api_key_use(api_key: ApiKey, *, address: str) -> bool:
    """Record that `api_key` was used just now from `address` (the client's IP address), in the
    key's row and the audit trail — unless a use was recorded less than USE_NOTED_EVERY ago:
    then nothing is written, nor asked of the database when the row as read says so. Returns
    whether the use was recorded. Concurrent requests record one use: the UPDATE's condition
    is the claim."""
    now = timezone.now()
    due = now - USE_NOTED_EVERY
    if api_key.last_used_at is not None and api_key.last_used_at > due:
        return False
    address_or_none = valid_address(address)
    with transaction.atomic():
        noted = (
            ApiKey.objects.filter(pk=api_key.pk)
            .filter(Q(last_used_at__isnull=True) | Q(last_used_at__lte=due))
            .update(last_used_at=now, last_used_from=address_or_none)
        )
        if noted:
            summary = f"{api_key.prefix}… from {address_or_none or 'an unknown address'}"
            record_audit(actor=api_key.user, action="use_api_key", target=api_key, summary=summary)
    if noted:
        api_key.last_used_at, api_key.last_used_from = now, address_or_none
    return bool(noted)


def valid_address(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None
