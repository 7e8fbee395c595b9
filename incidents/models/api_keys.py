"""The management API's keys: one per script or integration, acting as the user it belongs to."""

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Characters of a key kept in clear, to tell keys apart in the console and the logs.
PREFIX_LENGTH = 8


class ApiKey(models.Model):
    """A key of the management API (sent as `Authorization: OAuth <key>` or `Bearer <key>`),
    acting as its user with that user's permissions.

    Only the SHA-256 digest of the secret is kept: the secret is shown once, when it is made,
    and cannot be read back. A key is never deleted: it is revoked (or expires), and stays
    listed with its last use.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="api_keys",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("What uses this key."))
    prefix = models.CharField(_("prefix"), max_length=PREFIX_LENGTH, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("created by"),
    )
    expires_at = models.DateTimeField(
        _("expires at"), null=True, blank=True, help_text=_("Empty: the key does not expire.")
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    # Written at most once a minute per key (incidents.services.note_api_key_use).
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    last_used_from = models.GenericIPAddressField(
        _("last used from"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        # Revoking is a change; a key is never deleted (its uses stay explained).
        default_permissions = ("add", "change", "view")
        # The digest's unique index serves api_key_for_secret(), the lookup of every request.

    def __str__(self) -> str:
        return f"{self.prefix}… {self.name}"

    def is_expired(self, now=None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())


def secret_digest(secret: str) -> str:
    """What is kept of a key's secret: its SHA-256, in hex."""
    return hashlib.sha256(secret.encode()).hexdigest()
