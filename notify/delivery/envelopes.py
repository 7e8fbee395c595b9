"""Where one delivery's message goes: its address and key, and the subscriber's own links."""

from django.urls import reverse

from notify.channels.base import Envelope
from notify.choices import Channel
from notify.models import Delivery
from notify.signing import absolute, manage_url, unsubscribe_url


def envelope_for(delivery: Delivery) -> Envelope:
    """Where the message goes, with the subscriber's own links (signed: no query)."""
    subscriber = delivery.subscriber
    return Envelope(
        address=subscriber.address,
        idempotency_key=delivery.idempotency_key,
        unsubscribe_url=unsubscribe_url(subscriber),
        secret=subscriber.secret,
        subscriber_id=subscriber.public_id,
        manage_url=manage_url(subscriber),
        status_url=status_url(delivery),
    )


def status_url(delivery: Delivery) -> str:
    """Where the provider reports this message's outcome later, naming its delivery: only
    Twilio does (notify.twilio_hooks)."""
    if delivery.channel != Channel.SMS:
        return ""
    return absolute(reverse("notify:twilio_status", args=[delivery.idempotency_key]))
