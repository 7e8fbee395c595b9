"""Statuses and enums of notifications."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    WEBHOOK = "webhook", _("Webhook")
    SLACK = "slack", _("Slack")


class Language(models.TextChoices):
    EN = "en", "English"
    JA = "ja", "日本語"


class NotificationKind(models.TextChoices):
    INCIDENT_UPDATE = "incident_update", _("Incident update")
    MAINTENANCE_SCHEDULED = "maintenance_scheduled", _("Maintenance scheduled")
    MAINTENANCE_REMINDER = "maintenance_reminder", _("Maintenance reminder")
    MAINTENANCE_STARTED = "maintenance_started", _("Maintenance started")
    MAINTENANCE_UPDATE = "maintenance_update", _("Maintenance update")
    MAINTENANCE_COMPLETED = "maintenance_completed", _("Maintenance completed")
    POSTMORTEM_PUBLISHED = "postmortem_published", _("Post-mortem published")
    # A component's status changed (Statuspage's component webhook event; webhooks only).
    COMPONENT_STATUS = "component_status", _("Component status changed")


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    UNKNOWN = "unknown", _("Unknown (resolve by hand)")
    SKIPPED = "skipped", _("Skipped")
    # Held back by the storm guard, then superseded by a newer message about the same incident
    # to the same subscriber, which carries this one's update in its timeline.
    COALESCED = "coalesced", _("Coalesced into a later message")


# A delivery in one of these states never changes again (the admin may only resolve `unknown`).
FINAL_DELIVERY_STATES = (
    DeliveryState.SENT,
    DeliveryState.FAILED,
    DeliveryState.SKIPPED,
    DeliveryState.COALESCED,
)


class ProcessRole(models.TextChoices):
    """The background processes that publish liveness (notify.models.ProcessHeartbeat)."""

    WORKER = "worker", _("Celery worker")
    BEAT = "beat", _("Celery beat")


class ConsentSource(models.TextChoices):
    """Where a subscriber's consent came from (Subscriber.consent_source)."""

    PAGE = "page", _("The subscribe page")
    IMPORT = "import", _("An import, confirmed elsewhere")
    IMPORT_UNCONFIRMED = "import-unconfirmed", _("An import, asked to confirm")
    # An operator's API key vouching that the owner agreed elsewhere: confirmed, nothing sent
    # (the management API's skip_confirmation_notification).
    API = "api", _("The management API, confirmed elsewhere")
    API_UNCONFIRMED = "api-unconfirmed", _("The management API, asked to confirm")
