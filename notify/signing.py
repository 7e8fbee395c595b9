"""Signed links of a subscriber: confirm, code (the SMS short-code form), manage, unsubscribe.
The token names the subscriber and the action; it is signed with SECRET_KEY and the
subscriber's own secret, so rotating that secret voids every link ever sent to them. A token of
one action never works for another."""

import re
from functools import lru_cache

from django.conf import settings
from django.core import signing
from django.urls import get_script_prefix, get_urlconf, reverse

from notify.models import Subscriber

SALT = "noroshi.notify"
# Each is also the name of its route: notify:<action>.
ACTIONS = ("confirm", "code", "manage", "unsubscribe")
TOKEN_MARK = "token-goes-here"
# What a token can look like: a subscriber's public id (incidents.public_ids), ':', and a
# base64url signature (43 characters for SHA-256; a little room for a longer algorithm). Any
# other text — a NUL, bytes that were not UTF-8, a pasted paragraph — is refused before it
# reaches the database, which may not even accept it (PostgreSQL refuses NUL in text).
PUBLIC_ID_SHAPE = re.compile(r"[a-z0-9]{12}")
TOKEN_SHAPE = re.compile(rf"{PUBLIC_ID_SHAPE.pattern}:[A-Za-z0-9_-]{{1,100}}")


def token(subscriber: Subscriber, action: str) -> str:
    signer = signing.Signer(salt=f"{SALT}.{action}.{subscriber.secret}")
    return signer.sign(subscriber.public_id)


def subscriber_from(token_value: str, action: str) -> Subscriber | None:
    """The subscriber a valid token of `action` names, else None (also for any malformed
    text, without a query)."""
    if not TOKEN_SHAPE.fullmatch(token_value):
        return None
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


def link_path(subscriber: Subscriber, action: str) -> str:
    """The site-relative path of a subscriber's signed link (for the pages themselves)."""
    if action not in ACTIONS:
        raise ValueError(f"no signed link for {action!r}")
    before, after = route(action, get_script_prefix(), get_urlconf())
    return f"{before}{token(subscriber, action)}{after}"


@lru_cache(maxsize=64)
def route(action: str, script_prefix: str, urlconf: str | None) -> tuple[str, str]:
    """The path of an action's route around its token, reversed once: a worker writes two
    links per message. (A token's characters — base64 and ':' — are never quoted.)"""
    path = reverse(f"notify:{action}", args=[TOKEN_MARK])
    before, _, after = path.partition(TOKEN_MARK)
    return before, after


def unsubscribe_url(subscriber: Subscriber) -> str:
    return absolute(link_path(subscriber, "unsubscribe"))


def confirm_url(subscriber: Subscriber) -> str:
    return absolute(link_path(subscriber, "confirm"))


def manage_url(subscriber: Subscriber) -> str:
    return absolute(link_path(subscriber, "manage"))
