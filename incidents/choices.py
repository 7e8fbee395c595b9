"""The statuses and enums of the incidents domain, named as Atlassian Statuspage names them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ComponentStatus(models.TextChoices):
    OPERATIONAL = "operational", _("Operational")
    DEGRADED_PERFORMANCE = "degraded_performance", _("Degraded performance")
    PARTIAL_OUTAGE = "partial_outage", _("Partial outage")
    MAJOR_OUTAGE = "major_outage", _("Major outage")
    UNDER_MAINTENANCE = "under_maintenance", _("Under maintenance")


# How bad a status is, for "worst of" roll-ups (a group's status, a day's uptime cell).
# Maintenance ranks above operational (it is news) and below every kind of trouble.
COMPONENT_STATUS_SEVERITY: dict[str, int] = {
    ComponentStatus.OPERATIONAL: 0,
    ComponentStatus.UNDER_MAINTENANCE: 1,
    ComponentStatus.DEGRADED_PERFORMANCE: 2,
    ComponentStatus.PARTIAL_OUTAGE: 3,
    ComponentStatus.MAJOR_OUTAGE: 4,
}


class IncidentKind(models.TextChoices):
    INCIDENT = "incident", _("Incident")
    MAINTENANCE = "maintenance", _("Scheduled maintenance")


class IncidentStatus(models.TextChoices):
    INVESTIGATING = "investigating", _("Investigating")
    IDENTIFIED = "identified", _("Identified")
    MONITORING = "monitoring", _("Monitoring")
    RESOLVED = "resolved", _("Resolved")
    POSTMORTEM = "postmortem", _("Postmortem")


UNRESOLVED_INCIDENT_STATUSES = (
    IncidentStatus.INVESTIGATING,
    IncidentStatus.IDENTIFIED,
    IncidentStatus.MONITORING,
)
CLOSED_INCIDENT_STATUSES = (IncidentStatus.RESOLVED, IncidentStatus.POSTMORTEM)


class DraftState(models.TextChoices):
    """Whether the public may see an incident. An alert opens its incident as a draft, which
    on-call publishes or discards; every other incident is published from the start."""

    PUBLISHED = "published", _("Published")
    DRAFT = "draft", _("Draft")
    DISCARDED = "discarded", _("Discarded")


class MaintenanceStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    IN_PROGRESS = "in_progress", _("In progress")
    VERIFYING = "verifying", _("Verifying")
    COMPLETED = "completed", _("Completed")


ACTIVE_MAINTENANCE_STATUSES = (MaintenanceStatus.IN_PROGRESS, MaintenanceStatus.VERIFYING)
UNFINISHED_MAINTENANCE_STATUSES = (MaintenanceStatus.SCHEDULED, *ACTIVE_MAINTENANCE_STATUSES)

# Every status an incident or maintenance row (and its updates) may hold, for the model field.
ALL_INCIDENT_STATUS_CHOICES = IncidentStatus.choices + MaintenanceStatus.choices


class Impact(models.TextChoices):
    NONE = "none", _("None")
    MINOR = "minor", _("Minor")
    MAJOR = "major", _("Major")
    CRITICAL = "critical", _("Critical")


IMPACT_SEVERITY: dict[str, int] = {
    Impact.NONE: 0,
    Impact.MINOR: 1,
    Impact.MAJOR: 2,
    Impact.CRITICAL: 3,
}

# The impact a component status implies: the same mapping as the page roll-up in
# docs/reference/statuspage-v2.md. Critical is only ever chosen by a person (an override).
IMPACT_OF_COMPONENT_STATUS: dict[str, str] = {
    ComponentStatus.OPERATIONAL: Impact.NONE,
    ComponentStatus.UNDER_MAINTENANCE: Impact.NONE,
    ComponentStatus.DEGRADED_PERFORMANCE: Impact.MINOR,
    ComponentStatus.PARTIAL_OUTAGE: Impact.MINOR,
    ComponentStatus.MAJOR_OUTAGE: Impact.MAJOR,
}


class StatusChangeSource(models.TextChoices):
    CREATED = "created", _("Component created")
    ADMIN = "admin", _("Admin")
    INCIDENT_UPDATE = "incident_update", _("Incident update")
    MAINTENANCE = "maintenance", _("Maintenance")
    API = "api", _("API")
    BACKFILL = "backfill", _("Backfill")
    ALERT = "alert", _("Alert")


class PostMortemStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")


# The post-mortem statuses in which its text and timeline may still change.
EDITABLE_POSTMORTEM_STATUSES = (PostMortemStatus.DRAFT, PostMortemStatus.IN_REVIEW)


class DetectionMethod(models.TextChoices):
    """How the team learned of an incident."""

    MONITORING = "monitoring", _("Monitoring alert")
    CUSTOMER_REPORT = "customer_report", _("Customer report")
    INTERNAL = "internal", _("Noticed by staff")
    OTHER = "other", _("Other")


class ActionKind(models.TextChoices):
    """What a recovery action does, as nouns for the progress lines ("Prevention: 3 of 5")."""

    MITIGATE = "mitigate", _("Mitigation")
    REPAIR = "repair", _("Repair")
    PREVENT = "prevent", _("Prevention")
    DETECT = "detect", _("Detection")
    PROCESS = "process", _("Process")


class ActionPriority(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class ActionState(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    WONT_DO = "wont_do", _("Won't do")


# Actions still to be done: listed as open, chased when overdue.
UNFINISHED_ACTION_STATES = (ActionState.OPEN, ActionState.IN_PROGRESS)
FINISHED_ACTION_STATES = (ActionState.DONE, ActionState.WONT_DO)


class IntegrationKind(models.TextChoices):
    """The payload an alert integration's address accepts."""

    ALERTMANAGER = "alertmanager", _("Prometheus Alertmanager (webhook version 4)")
    GENERIC = "generic", _("Generic JSON (Grafana alerting's webhook shape)")


class AlertStatus(models.TextChoices):
    FIRING = "firing", _("Firing")
    RESOLVED = "resolved", _("Resolved")
