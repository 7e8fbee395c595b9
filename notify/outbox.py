"""The outbox: what incidents.announcements hands over (notify.apps installs it there), written
in the caller's transaction.

Each function writes (at most) one Notification row and queues its fan-out for after commit
(best-effort: notify.on_commit); calling it twice for the same thing writes nothing more, and
nothing is written about an incident the public may not see (an alert's draft). If the
fan-out is not queued — the broker is down, or the process dies between commit and queueing —
notify.tasks.sweep finds the row and fans it out.
"""

from incidents.choices import IncidentKind, IncidentStatus, MaintenanceStatus
from incidents.models import ComponentStatusChange, Incident, IncidentUpdate
from notify.choices import Channel, NotificationKind
from notify.models import Notification, Subscriber
from notify.on_commit import fan_out_on_commit

# SMS is slow and costs money: as on Statuspage, it goes only on these events.
SMS_KINDS = (NotificationKind.MAINTENANCE_STARTED,)
EVERY_CHANNEL_BUT_SMS = [Channel.EMAIL, Channel.WEBHOOK, Channel.SLACK]


def kind_of(update: IncidentUpdate) -> NotificationKind:
    """What an update announces: an incident update, or a step of a maintenance window."""
    if update.incident.kind == IncidentKind.INCIDENT:
        return NotificationKind.INCIDENT_UPDATE
    if update.status == MaintenanceStatus.SCHEDULED:
        return NotificationKind.MAINTENANCE_SCHEDULED
    if update.status == MaintenanceStatus.COMPLETED:
        return NotificationKind.MAINTENANCE_COMPLETED
    started_before = (
        update.incident.updates.filter(status=MaintenanceStatus.IN_PROGRESS)
        .exclude(pk=update.pk)
        .exists()
    )
    if update.status == MaintenanceStatus.IN_PROGRESS and not started_before:
        return NotificationKind.MAINTENANCE_STARTED
    return NotificationKind.MAINTENANCE_UPDATE


def channels_for(kind: str, update: IncidentUpdate | None) -> list[str]:
    channels: list[str] = list(EVERY_CHANNEL_BUT_SMS)
    if kind in SMS_KINDS or (update is not None and is_sms_worthy(update)):
        channels.append(Channel.SMS)
    return channels


def is_sms_worthy(update: IncidentUpdate) -> bool:
    """An incident's first update (it was declared) or its resolution."""
    if update.incident.kind != IncidentKind.INCIDENT:
        return False
    if update.status == IncidentStatus.RESOLVED:
        return True
    return not update.incident.updates.filter(pk__lt=update.pk).exists()


def record(*, kind: str, incident: Incident, update: IncidentUpdate | None) -> Notification | None:
    if not incident.is_public:
        return None  # an alert's draft reaches nobody until it is published
    notification, created = Notification.objects.get_or_create(
        kind=kind,
        incident=incident,
        update=update,
        defaults={"channels": channels_for(kind, update)},
    )
    if created:
        notification.components.set(incident.components.all())
        fan_out_on_commit(notification.pk)
    return notification


def record_update(update: IncidentUpdate) -> Notification | None:
    """Write the notification of a published update (see incidents.announcements)."""
    return record(kind=kind_of(update), incident=update.incident, update=update)


def record_reminder(maintenance: Incident) -> Notification | None:
    """Write the reminder that a maintenance window starts soon (once per window)."""
    return record(kind=NotificationKind.MAINTENANCE_REMINDER, incident=maintenance, update=None)


def record_postmortem(postmortem) -> Notification | None:
    """Write the announcement of a published post-mortem (once per incident)."""
    return record(
        kind=NotificationKind.POSTMORTEM_PUBLISHED, incident=postmortem.incident, update=None
    )


# Component events go where Statuspage sends them: to webhooks.
COMPONENT_EVENT_CHANNELS = [Channel.WEBHOOK]


def record_component_change(change: ComponentStatusChange) -> Notification | None:
    """Write the announcement of a component's status change (once per history row); none
    when no active subscriber is on a channel that receives component events."""
    listening = Subscriber.objects.filter(
        channel__in=COMPONENT_EVENT_CHANNELS,
        confirmed_at__isnull=False,
        unsubscribed_at__isnull=True,
        suspended_at__isnull=True,
    )
    if not listening.exists():
        return None
    notification, created = Notification.objects.get_or_create(
        kind=NotificationKind.COMPONENT_STATUS,
        component_change=change,
        defaults={"channels": COMPONENT_EVENT_CHANNELS},
    )
    if created:
        notification.components.set([change.component_id])
        fan_out_on_commit(notification.pk)
    return notification
