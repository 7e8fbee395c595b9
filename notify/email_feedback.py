"""What an e-mail provider tells us after the send: bounces and complaints, through
django-anymail's tracking webhooks (Postmark, Mailgun, SES, SendGrid, …).

A complaint ("this is spam") unsubscribes the address at once: its owner said no. A hard
bounce or a rejection for a bad or blocked address suspends the subscriber with the provider's
reason, shown in the console. Deferrals and soft bounces change nothing (the provider retries).
Every event is noted on its delivery (`provider_status`), found by the provider's message id.

The webhooks answer only when ANYMAIL_WEBHOOK_SECRET is set (HTTP basic auth, anymail's own
check); without it they are 404, never open to anyone.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.urls import URLPattern
from django.utils import timezone

from incidents.services.audit import record_audit
from notify.choices import Channel
from notify.models import Delivery, Subscriber

logger = logging.getLogger(__name__)

UNSUBSCRIBING = {"complained", "unsubscribed"}
SUSPENDING_REJECTIONS = {"bounced", "invalid", "blocked"}


@transaction.atomic
def record_email_event(
    *, event_type: str, message_id: str | None, recipient: str | None, reason: str | None,
    description: str = "",
) -> Subscriber | None:  # fmt: skip
    """Apply one provider event to the delivery it names and to its subscriber; return the
    subscriber changed (None when nothing was)."""
    delivery = None
    if message_id:
        delivery = (
            Delivery.objects.select_related("subscriber")
            .filter(channel=Channel.EMAIL, provider_id=message_id)
            .first()
        )
    if delivery is not None:
        Delivery.objects.filter(pk=delivery.pk).update(provider_status=event_type[:32])
    subscriber = delivery.subscriber if delivery is not None else by_address(recipient)
    if subscriber is None:
        return None
    now = timezone.now()
    why = f"{event_type} by the e-mail provider: {description or reason or 'no reason given'}"
    if event_type in UNSUBSCRIBING:
        changed = Subscriber.objects.filter(pk=subscriber.pk, unsubscribed_at__isnull=True).update(
            unsubscribed_at=now, updated_at=now, suspended_reason=why[:500]
        )
    elif event_type in ("bounced", "rejected") and reason in SUSPENDING_REJECTIONS:
        changed = Subscriber.objects.filter(pk=subscriber.pk, suspended_at__isnull=True).update(
            suspended_at=now, suspended_reason=why[:500], updated_at=now
        )
    else:
        return None
    if not changed:
        return None
    action = "unsubscribe" if event_type in UNSUBSCRIBING else "suspend"
    record_audit(actor=None, action=action, target=subscriber, summary=why)
    return subscriber


def by_address(recipient: str | None) -> Subscriber | None:
    if not recipient or "@" not in recipient:
        return None
    # Stored in lower case, the whole address (notify.addresses.email_address).
    address = recipient.strip().lower()
    return Subscriber.objects.filter(channel=Channel.EMAIL, address=address).first()


def on_tracking(sender, event, esp_name, **kwargs) -> None:
    """django-anymail's tracking signal: one normalised event from a provider's webhook."""
    changed = record_email_event(
        event_type=str(event.event_type),
        message_id=event.message_id,
        recipient=event.recipient,
        reason=str(event.reject_reason) if event.reject_reason else None,
        description=event.description or event.mta_response or "",
    )
    if changed is not None:
        logger.info("%s %s: subscriber %s", esp_name, event.event_type, changed.public_id)


def webhook_secret_required(view):
    def guarded(request, *args, **kwargs):
        if not getattr(settings, "ANYMAIL", {}).get("WEBHOOK_SECRET"):
            raise Http404("E-mail provider webhooks are off: set ANYMAIL_WEBHOOK_SECRET.")
        return view(request, *args, **kwargs)

    return guarded


def tracking_urlpatterns() -> list[URLPattern]:
    """anymail's tracking webhooks (not its inbound-mail ones), each behind the secret."""
    from anymail.urls import urlpatterns

    return [
        URLPattern(pattern.pattern, webhook_secret_required(pattern.callback), name=pattern.name)
        for pattern in urlpatterns
        if isinstance(pattern, URLPattern)
        and pattern.name
        and ("tracking" in pattern.name or "mandrill" in pattern.name)
    ]
