"""Components, their status history, incidents, maintenance, page settings and update
templates (the audit log is in audit.py).

Writes happen in incidents/services/ only; these classes hold fields, constraints and
one-row rules.
"""

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.branding.colours import validate_brand_colour, validate_brand_colour_dark
from incidents.branding.links import validate_links
from incidents.branding.logo import LogoType
from incidents.choices import (
    ALL_INCIDENT_STATUS_CHOICES,
    ComponentStatus,
    DraftState,
    Impact,
    IncidentKind,
    IncidentStatus,
    MaintenanceStatus,
    StatusChangeSource,
)
from incidents.public_ids import LENGTH, new_public_id


def public_id_field() -> models.CharField:
    return models.CharField(
        max_length=LENGTH, unique=True, default=new_public_id, editable=False, db_index=True
    )


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(zone)s” is not an IANA time zone."), params={"zone": value})


# A day: past it a reminder would come after the silence had long been noticed anyway.
MAX_UPDATE_REMINDER_MINUTES = 24 * 60


def default_page_url() -> str:
    """Where a new page lives until its settings say otherwise: SITE_URL."""
    return settings.SITE_URL


class PageSettings(models.Model):
    """The one row of page-wide settings (id is always 1)."""

    public_id = public_id_field()
    name = models.CharField(max_length=100, default="Noroshi")
    name_ja = models.CharField(_("name (Japanese)"), max_length=100, blank=True)
    url = models.URLField(
        help_text=_("The public address of the status page."), default=default_page_url
    )
    time_zone = models.CharField(max_length=64, default="Etc/UTC", validators=[validate_time_zone])
    support_email = models.EmailField(blank=True)
    support_url = models.URLField(blank=True)
    update_reminder_minutes = models.PositiveIntegerField(
        _("update reminder (minutes)"),
        default=30,
        validators=[MaxValueValidator(MAX_UPDATE_REMINDER_MINUTES)],
        help_text=_(
            "Remind the incident's author and the On-call group when an open incident has had "
            "no public update for this many minutes, and again after each as many. 0: never."
        ),
    )
    # A credential (whoever has it may post to the channel): shown whole only to those who may
    # change the settings, and checked by notify's SSRF guard (incidents.address_checks).
    team_slack_webhook_url = models.URLField(
        _("team Slack webhook"),
        max_length=500,
        blank=True,
        help_text=_(
            "A Slack incoming-webhook URL for the on-call team's channel: update reminders are "
            "posted there too. Empty: e-mail only."
        ),
    )
    # Branding (incidents.branding checks each). The logo is kept here, not in MEDIA: every
    # web process can serve it, and the public page's snapshots keep it through a database
    # outage (statuspage.views.branding).
    logo = models.BinaryField(_("logo"), blank=True, default=b"", editable=False)
    logo_type = models.CharField(max_length=20, blank=True, choices=LogoType.choices)
    logo_digest = models.CharField(max_length=16, blank=True, editable=False)
    brand_colour = models.CharField(
        _("brand colour"), max_length=7, blank=True, validators=[validate_brand_colour]
    )
    brand_colour_dark = models.CharField(
        _("brand colour in dark mode"),
        max_length=7,
        blank=True,
        validators=[validate_brand_colour_dark],
    )
    header_links = models.JSONField(
        _("header links"), default=list, blank=True, validators=[validate_links]
    )
    footer_links = models.JSONField(
        _("footer links"), default=list, blank=True, validators=[validate_links]
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = _("page settings")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="page_settings_single_row")]

    def __str__(self) -> str:
        return self.name


class ComponentGroup(models.Model):
    """One level of grouping for components; its status is the worst of its components'."""

    public_id = public_id_field()
    name = models.CharField(max_length=100, unique=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=100, blank=True)
    description = models.TextField(blank=True)
    description_ja = models.TextField(_("description (Japanese)"), blank=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ("position", "id")

    def __str__(self) -> str:
        return self.name


class Component(models.Model):
    """A service the page reports on, with its current status."""

    public_id = public_id_field()
    group = models.ForeignKey(
        ComponentGroup,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="components",
    )
    name = models.CharField(max_length=100)
    name_ja = models.CharField(_("name (Japanese)"), max_length=100, blank=True)
    description = models.TextField(blank=True)
    description_ja = models.TextField(_("description (Japanese)"), blank=True)
    position = models.PositiveIntegerField(default=0)
    status = models.CharField(
        max_length=32, choices=ComponentStatus.choices, default=ComponentStatus.OPERATIONAL
    )
    showcase = models.BooleanField(
        default=True, help_text=_("Show the 90-day uptime bar for this component.")
    )
    only_show_if_degraded = models.BooleanField(default=False)
    start_date = models.DateField(
        null=True, blank=True, help_text=_("Uptime is counted from this day.")
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    # Set when the component leaves the page. Its history stays (it is never deleted: the rows
    # that tell its past PROTECT it), and its name is free for a new one.
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ("position", "id")
        constraints = [
            models.UniqueConstraint(
                fields=("group", "name"),
                condition=Q(archived_at__isnull=True),
                name="component_name_unique_in_group",
                violation_error_message=_("Component with this Group and Name already exists."),
            ),
            # NULLs are distinct in the constraint above: ungrouped names need their own.
            models.UniqueConstraint(
                fields=("name",),
                condition=Q(group__isnull=True, archived_at__isnull=True),
                name="component_name_unique_ungrouped",
                violation_error_message=_("An ungrouped component with this name exists."),
            ),
        ]
        indexes = [
            # page_status(): the worst current status among all components.
            models.Index(fields=("status",), name="component_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.group.name} - {self.name}" if self.group else self.name


class ComponentStatusChange(models.Model):
    """Append-only history: one row per status change of a component, from any source."""

    component = models.ForeignKey(
        Component, on_delete=models.PROTECT, related_name="status_changes"
    )
    old_status = models.CharField(max_length=32, choices=ComponentStatus.choices, blank=True)
    new_status = models.CharField(max_length=32, choices=ComponentStatus.choices)
    source = models.CharField(max_length=32, choices=StatusChangeSource.choices)
    incident_update = models.ForeignKey(
        "IncidentUpdate",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="status_changes",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("created_at", "id")
        indexes = [
            # uptime_by_day(): the changes of these components inside a window, and the last one
            # before it.
            models.Index(fields=("component", "created_at"), name="status_change_component_time"),
        ]

    def __str__(self) -> str:
        return f"{self.component}: {self.old_status or '∅'} → {self.new_status}"


class IncidentQuerySet(models.QuerySet):
    def public(self) -> "IncidentQuerySet":
        """The rows the public may see: neither an alert's draft nor a discarded one. Every
        read of the public page, its JSON, feeds and badges goes through this."""
        return self.filter(draft_state=DraftState.PUBLISHED)


class Incident(models.Model):
    """An incident or a scheduled maintenance (Statuspage stores both as incidents)."""

    public_id = public_id_field()
    kind = models.CharField(
        max_length=16, choices=IncidentKind.choices, default=IncidentKind.INCIDENT, editable=False
    )
    name = models.CharField(max_length=200)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200, blank=True)
    status = models.CharField(max_length=32, choices=ALL_INCIDENT_STATUS_CHOICES)
    impact = models.CharField(max_length=16, choices=Impact.choices, default=Impact.NONE)
    impact_override = models.CharField(
        max_length=16,
        choices=Impact.choices,
        blank=True,
        help_text=_("Leave empty to compute the impact from the affected components."),
    )
    components = models.ManyToManyField(Component, blank=True, related_name="incidents")
    backfilled = models.BooleanField(default=False)
    started_at = models.DateTimeField(default=timezone.now)
    monitoring_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    # Maintenance only.
    scheduled_for = models.DateTimeField(null=True, blank=True)
    scheduled_until = models.DateTimeField(null=True, blank=True)
    auto_start = models.BooleanField(default=True)
    auto_complete = models.BooleanField(default=True)
    set_components_under_maintenance = models.BooleanField(default=True)
    remind_minutes_before = models.PositiveIntegerField(null=True, blank=True)
    # When subscribers were reminded of the window (once; set by send_due_reminders).
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Open incidents only: the end of the last interval of silence (no public update for the
    # page's reminder minutes) whose reminder was claimed. A reminder is claimed for a later
    # moment only (incidents.services.claim_update_reminder), so no interval is reminded twice.
    silence_reminded_for = models.DateTimeField(null=True, blank=True, editable=False)
    # An alert opens its incident as a draft: not public, announced to nobody, until on-call
    # publishes it (its first update is announced then) or discards it (kept, never public).
    draft_state = models.CharField(
        _("draft state"),
        max_length=16,
        choices=DraftState.choices,
        default=DraftState.PUBLISHED,
        editable=False,
    )
    # When a draft was published (empty for an incident that was public from the start).
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ("-started_at", "-id")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind=IncidentKind.INCIDENT, status__in=IncidentStatus.values)
                    | Q(kind=IncidentKind.MAINTENANCE, status__in=MaintenanceStatus.values)
                ),
                name="incident_status_matches_kind",
            ),
            models.CheckConstraint(
                condition=Q(kind=IncidentKind.INCIDENT)
                | Q(
                    scheduled_for__isnull=False,
                    scheduled_until__isnull=False,
                    scheduled_until__gt=models.F("scheduled_for"),
                ),
                name="maintenance_has_window",
            ),
            # Only an alert's incident is ever a draft.
            models.CheckConstraint(
                condition=Q(kind=IncidentKind.INCIDENT) | Q(draft_state=DraftState.PUBLISHED),
                name="maintenance_never_draft",
            ),
        ]
        indexes = [
            # unresolved_incidents(), upcoming_maintenances(), run_due_maintenance(): open rows of
            # one kind.
            models.Index(fields=("kind", "status"), name="incident_kind_status"),
            # recent_incidents(), resolved_incidents_since(): newest first.
            models.Index(fields=("kind", "-started_at"), name="incident_kind_started"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_maintenance(self) -> bool:
        return self.kind == IncidentKind.MAINTENANCE

    @property
    def is_public(self) -> bool:
        return self.draft_state == DraftState.PUBLISHED

    @property
    def is_draft(self) -> bool:
        return self.draft_state == DraftState.DRAFT


class ScheduledMaintenance(Incident):
    """The maintenance rows of Incident, for their own admin screen."""

    class Meta:
        proxy = True
        verbose_name = _("scheduled maintenance")
        verbose_name_plural = _("scheduled maintenances")


class IncidentUpdate(models.Model):
    """An append-only timeline entry of an incident or maintenance; only its text may be
    corrected afterwards (the original stays in the audit log)."""

    public_id = public_id_field()
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="updates")
    status = models.CharField(max_length=32, choices=ALL_INCIDENT_STATUS_CHOICES)
    body = models.TextField(help_text=_("Markdown."))
    body_ja = models.TextField(_("body (Japanese)"), blank=True)
    display_at = models.DateTimeField(default=timezone.now)
    deliver_notifications = models.BooleanField(default=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    # When its text was last corrected (services.edit_update_text); the public page marks it.
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ("-display_at", "-id")
        indexes = [
            # incident timeline, newest first.
            models.Index(fields=("incident", "-display_at"), name="update_incident_display"),
        ]

    def __str__(self) -> str:
        return f"{self.incident} — {self.get_status_display()}"


class IncidentUpdateComponent(models.Model):
    """The status an update gave one component (old → new; old equals new when it stayed)."""

    update = models.ForeignKey(
        IncidentUpdate, on_delete=models.CASCADE, related_name="affected_components"
    )
    component = models.ForeignKey(Component, on_delete=models.PROTECT, related_name="+")
    old_status = models.CharField(max_length=32, choices=ComponentStatus.choices)
    new_status = models.CharField(max_length=32, choices=ComponentStatus.choices)

    class Meta:
        ordering = ("id",)
        constraints = [
            models.UniqueConstraint(fields=("update", "component"), name="one_status_per_update"),
        ]

    def __str__(self) -> str:
        return f"{self.component}: {self.old_status} → {self.new_status}"


class UpdateTemplate(models.Model):
    """Canned wording that prefills the update form in the admin."""

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(
        max_length=16, choices=IncidentKind.choices, default=IncidentKind.INCIDENT
    )
    status = models.CharField(max_length=32, choices=ALL_INCIDENT_STATUS_CHOICES, blank=True)
    title = models.CharField(max_length=200, blank=True)
    title_ja = models.CharField(_("title (Japanese)"), max_length=200, blank=True)
    body = models.TextField()
    body_ja = models.TextField(_("body (Japanese)"), blank=True)

    class Meta:
        ordering = ("kind", "name")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.kind == IncidentKind.INCIDENT:
            allowed, message = IncidentStatus.values, _("“%(status)s” is not an incident status.")
        else:
            allowed = MaintenanceStatus.values
            message = _("“%(status)s” is not a maintenance status.")
        if self.status and self.status not in allowed:
            raise ValidationError({"status": message % {"status": self.status}})
