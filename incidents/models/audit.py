"""The audit trail: one row per write, kept as it was written."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """Who changed what, when, from where, and how: one row per write (the services, the
    console's and the API's, automation, sign-ins, exports, role changes).

    Everything is kept as it was at the time: the actor's name (the user may be renamed or
    deactivated later), the object's name, the changed fields' old and new values (cut short,
    secrets masked: incidents.services.audit). A user who authored anything cannot be deleted
    (PROTECT here and on every authorship), only deactivated. Nothing updates or deletes a row.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(_("actor"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    # {"field": ["old", "new"]}, each value as text (incidents.services.audit.audited_changes).
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    # How the write came: "console", "api", "api key <prefix>", "web", "twilio", "alerts",
    # "worker", "beat" or "command" (incidents.audit_context).
    source = models.CharField(_("source"), max_length=100, blank=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, editable=False)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        permissions = [("export_auditentry", _("Can export the audit trail as CSV"))]
        indexes = [
            # admin audit log, newest first, per object.
            models.Index(fields=("object_type", "object_id"), name="audit_object"),
            # the console's list and its CSV export, newest first (and the date drill-down).
            models.Index(fields=("-created_at", "-id"), name="audit_newest_first"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type} {self.object_id}"
