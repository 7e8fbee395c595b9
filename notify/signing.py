"""Signed links of a subscriber: confirm, manage, unsubscribe. The token names the subscriber
and the action; it is signed with SECRET_KEY and the subscriber's own secret, so rotating that
secret voids every link ever sent to them."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from notify.models import Subscriber

SALT = "noroshi.notify"


def token(subscriber: Subscriber, action: str) -> str:
    signer = signing.Signer(salt=f"{SALT}.{action}.{subscriber.secret}")
    return signer.sign(subscriber.public_id)


def subscriber_from(token_value: str, action: str) -> Subscriber | None:
    """The subscriber a valid token of `action` names, else None."""
    public_id = token_value.split(":", 1)[0]
    subscriber = Subscriber.objects.filter(public_id=public_id).first()
    if subscriber is None:
        return None
    signer = signing.Signer(salt=f"{SALT}.{action}.{subscriber.secret}")
    try:
        signer.unsign(token_value)
    except signing.BadSignature:
        return None
    return subscriber


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def unsubscribe_url(subscriber: Subscriber) -> str:
    return absolute(reverse("notify:unsubscribe", args=[token(subscriber, "unsubscribe")]))


def confirm_url(subscriber: Subscriber) -> str:
    return absolute(reverse("notify:confirm", args=[token(subscriber, "confirm")]))
