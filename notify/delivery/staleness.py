"""Why a claimed delivery should not be sent any more: an SMS past its validity period, or
about an update that a newer SMS of the same incident has overtaken. The other channels'
messages never go stale (a webhook receiver or a mailbox keeps the history)."""

from datetime import timedelta

from django.utils import timezone

from notify.channels.sms import validity_seconds
from notify.choices import Channel
from notify.models import Delivery, Notification


def stale_reason(delivery: Delivery) -> str:
    """Why `delivery` should not be sent any more ('' to send it)."""
    if delivery.channel != Channel.SMS:
        return ""
    notification = delivery.notification
    validity = validity_seconds()
    if notification.created_at < timezone.now() - timedelta(seconds=validity):
        return f"older than the SMS validity period ({validity} s)"
    if notification.incident_id is None:
        return ""
    # One query per message, not per batch: a resolution posted while a batch of
    # "investigating" messages is still going out must stop the rest of them.
    newer = Notification.objects.filter(
        incident_id=notification.incident_id, pk__gt=notification.pk
    ).values_list("channels", flat=True)
    if any(Channel.SMS in channels for channels in newer):
        return "overtaken by a newer SMS about the same incident"
    return ""
