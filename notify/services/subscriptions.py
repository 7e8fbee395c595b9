"""Writes of a subscription: subscribe, confirm, unsubscribe, change what it covers.

Each validates first (ValidationError with a precise message, nothing written) and defers
anything that talks to the outside world (a confirmation message, a queued task) until after
commit.
"""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from incidents.models import Component, Incident
from notify import channels
from notify.choices import Language
from notify.models import Subscriber
from notify.on_commit import confirmation_on_commit


def normalised_address(channel: str, address: str) -> str:
    """The address in its stored form, checked by its channel (ValidationError otherwise)."""
    reason = channels.disabled_reason(channel)
    if reason:
        raise ValidationError({"channel": reason})
    cls = channels.channel_class(channel)
    assert cls is not None
    return cls.normalise(address)


@transaction.atomic
def subscribe(
    *,
    channel: str,
    address: str,
    language: str = Language.EN,
    components: list[Component] | None = None,
    incident: Incident | None = None,
    ip: str | None = None,
) -> Subscriber:
    """Record a subscription, unconfirmed, and send its confirmation after commit.

    Subscribing an address again renews the request (a new confirmation) without duplicating
    it. Raises ValidationError for a disabled channel, a bad address or language.
    """
    address = normalised_address(channel, address)
    if language not in Language.values:
        raise ValidationError({"language": f"“{language}” is not a language of this page."})
    now = timezone.now()
    subscriber, created = Subscriber.objects.select_for_update().get_or_create(
        channel=channel,
        address=address,
        defaults={"language": language, "incident": incident, "consent_ip": ip},
    )
    if not created:
        subscriber.language, subscriber.incident, subscriber.consent_ip = language, incident, ip
        subscriber.unsubscribed_at = None
        subscriber.confirmed_at = subscriber.confirmed_at if subscriber.is_active else None
        subscriber.consent_at = subscriber.updated_at = now
        subscriber.save(
            update_fields=[
                "language", "incident", "consent_ip", "unsubscribed_at", "confirmed_at",
                "consent_at", "updated_at",
            ]
        )  # fmt: skip
    subscriber.components.set(components or [])
    if not subscriber.confirmed_at:
        confirmation_on_commit(subscriber.pk)
    return subscriber


@transaction.atomic
def confirm(*, subscriber: Subscriber) -> Subscriber:
    """Confirm a subscription (double opt-in); confirming twice changes nothing."""
    Subscriber.objects.filter(pk=subscriber.pk, confirmed_at__isnull=True).update(
        confirmed_at=timezone.now(), updated_at=timezone.now()
    )
    subscriber.refresh_from_db()
    return subscriber


@transaction.atomic
def unsubscribe(*, subscriber: Subscriber) -> Subscriber:
    """Stop every message to this subscriber; unsubscribing twice changes nothing."""
    Subscriber.objects.filter(pk=subscriber.pk, unsubscribed_at__isnull=True).update(
        unsubscribed_at=timezone.now(), updated_at=timezone.now()
    )
    subscriber.refresh_from_db()
    return subscriber


@transaction.atomic
def update_subscription(
    *, subscriber: Subscriber, components: list[Component], language: str
) -> Subscriber:
    """Change what a subscriber follows (no components: the whole page) and their language.

    Writes the subscriber and its components in one transaction, nothing else. Raises
    ValidationError, writing nothing, for a language the page does not speak, a subscription
    that has ended, or components on a subscription to one incident.
    """
    if language not in Language.values:
        raise ValidationError({"language": f"“{language}” is not a language of this page."})
    current = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    if current.unsubscribed_at is not None:
        raise ValidationError("This subscription has ended; subscribe again to receive updates.")
    if components and current.incident_id is not None:
        raise ValidationError(
            {"components": "A subscription to one incident cannot choose components."}
        )
    current.language, current.updated_at = language, timezone.now()
    current.save(update_fields=["language", "updated_at"])
    current.components.set(components)
    return current


# --- SMS: the confirmation code, STOP/START/YES replies, Twilio's status callbacks ----------

logger = logging.getLogger(__name__)
