"""Alerts in: the integrations monitoring posts to, the groups of alerts they open drafts for,
and every alert state received (the memory that makes a delivery count once)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.choices import AlertStatus, ComponentStatus, IntegrationKind
from incidents.models.incidents import Component, Incident


class AlertIntegration(models.Model):
    """An address monitoring posts alerts to, the rules that map an alert's labels to
    components, and what a firing alert does to them."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(
        _("kind"),
        max_length=16,
        choices=IntegrationKind.choices,
        default=IntegrationKind.ALERTMANAGER,
    )
    # The token in the address is shown once, when it is made. Kept: its first characters (to
    # find the row) and a digest of the whole (compared in constant time), never the token.
    token_prefix = models.CharField(max_length=12, unique=True, editable=False)
    token_digest = models.CharField(max_length=64, editable=False)
    component_status = models.CharField(
        _("status of firing components"),
        max_length=32,
        choices=ComponentStatus.choices,
        blank=True,
        help_text=_(
            "The status a firing alert gives the components its labels map to (never a better "
            "one than they have). Empty: the alerts change no component."
        ),
    )
    auto_publish_minutes = models.PositiveIntegerField(
        _("publish after (minutes)"),
        null=True,
        blank=True,
        help_text=_(
            "Publish a draft whose alerts are still firing this many minutes after they began. "
            "Empty: drafts wait for on-call."
        ),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ("name",)
        verbose_name = _("alert integration")

    def __str__(self) -> str:
        return self.name


class AlertRule(models.Model):
    """An alert whose label `label` has the value `value` concerns `component`."""

    integration = models.ForeignKey(
        AlertIntegration, on_delete=models.CASCADE, related_name="rules"
    )
    label = models.CharField(_("label"), max_length=100)
    value = models.CharField(_("value"), max_length=200)
    component = models.ForeignKey(
        Component, on_delete=models.PROTECT, related_name="+", verbose_name=_("component")
    )

    class Meta:
        ordering = ("label", "value", "id")
        verbose_name = _("label rule")
        constraints = [
            models.UniqueConstraint(
                fields=("integration", "label", "value", "component"), name="alert_rule_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label}={self.value} → {self.component}"


class AlertGroup(models.Model):
    """One group of an integration's alerts (Alertmanager's groupKey) and the incident it opened
    last. While that incident is open (a draft, or published and unresolved) the group's alerts
    go to it; once it is discarded or resolved, the group's next new alert opens a new draft."""

    integration = models.ForeignKey(
        AlertIntegration, on_delete=models.PROTECT, related_name="groups"
    )
    group_key = models.TextField()
    # sha256 of group_key: the unique key below, whatever the key's length.
    key_digest = models.CharField(max_length=64)
    labels = models.JSONField(default=dict, blank=True)
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.PROTECT, related_name="alert_groups"
    )
    # When the group's alerts began to fire, unbroken; empty while none fires.
    firing_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("integration", "key_digest"), name="alert_group_once_per_integration"
            ),
        ]
        indexes = [
            # publish_due_drafts(): the groups firing for longest.
            models.Index(
                fields=("firing_since",),
                condition=Q(firing_since__isnull=False),
                name="alert_group_firing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.integration}: {self.group_key}"


class ReceivedAlert(models.Model):
    """One state of one alert as received: an instance (its fingerprint and start) firing, or
    resolved. A state received again is found here and changes nothing."""

    group = models.ForeignKey(AlertGroup, on_delete=models.PROTECT, related_name="alerts")
    # The incident it was noted on (none when it came while the group had no open incident).
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.PROTECT, related_name="received_alerts"
    )
    fingerprint = models.CharField(max_length=128)
    starts_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=AlertStatus.choices)
    name = models.CharField(max_length=200, blank=True)
    labels = models.JSONField(default=dict, blank=True)
    annotations = models.JSONField(default=dict, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    # The components its labels mapped to when it came (none when the integration changes no
    # component): a firing alert holds them until it is resolved.
    components = models.ManyToManyField(Component, blank=True, related_name="+")
    received_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ("received_at", "id")
        constraints = [
            models.UniqueConstraint(
                fields=("group", "fingerprint", "starts_at", "status"), name="alert_state_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name or self.fingerprint} {self.status}"
