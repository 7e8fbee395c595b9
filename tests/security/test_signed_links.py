"""Tampered signed links, beyond tests/notify/test_malformed_links.py (malformed text, another
action's token, the signature's last character) and test_subscription_links.py (forged tokens):
every single character of a subscriber's token changed, one subscriber's signature on another's
id, and a link signed before SECRET_KEY changed. Each is 404 on GET and POST and changes
nothing. (A link has no expiry by design: an unsubscribe link must keep working for as long
as mail carrying it can be read; SECRET_KEY is what voids them all, docs/security.md.)"""

import string

import pytest
from django.test import override_settings
from django.utils import timezone

from notify.models import Subscriber
from notify.signing import ACTIONS, link_path, token

pytestmark = pytest.mark.django_db

ALPHABET = string.ascii_letters + string.digits + "-_"


@pytest.fixture
def ann(components):
    subscriber = Subscriber.objects.create(channel="email", address="ann@example.com")
    subscriber.components.set([components["API"]])
    return subscriber


@pytest.fixture
def ben(db):
    return Subscriber.objects.create(
        channel="email", address="ben@example.com", confirmed_at=timezone.now()
    )


def rows() -> list[dict]:
    return [*Subscriber.objects.order_by("pk").values()]


def answers(client, action: str, value: str) -> tuple[int, int]:
    path = link_path_for(action, value)
    data = {"language": "ja", "scope": "all", "code": "123456"}
    return client.get(path).status_code, client.post(path, data).status_code


def link_path_for(action: str, value: str) -> str:
    return f"/subscriptions/{action}/{value}"


def one_changed(value: str, position: int) -> str:
    replacement = next(c for c in ALPHABET if c != value[position])
    if value[position] == ":":
        replacement = "."
    return value[:position] + replacement + value[position + 1 :]


@pytest.mark.parametrize("action", ACTIONS)
def test_a_token_with_any_one_character_changed_is_not_found(client, ann, ben, action):
    good = token(ann, action)
    assert link_path(ann, action) == link_path_for(action, good)
    before = rows()
    found = {
        position: answers(client, action, one_changed(good, position))
        for position in range(len(good))
    }
    assert {p: codes for p, codes in found.items() if codes != (404, 404)} == {}
    assert rows() == before


@pytest.mark.parametrize("action", ACTIONS)
def test_one_subscriber_s_signature_on_another_s_id_is_not_found(client, ann, ben, action):
    ann_id, ann_signature = token(ann, action).split(":", 1)
    before = rows()
    assert answers(client, action, f"{ben.public_id}:{ann_signature}") == (404, 404)
    assert answers(client, action, f"{ann_id}:{token(ben, action).split(':', 1)[1]}") == (
        404,
        404,
    )
    assert rows() == before


@pytest.mark.parametrize("action", ACTIONS)
def test_a_link_signed_under_another_secret_key_is_not_found(client, ann, action):
    with override_settings(SECRET_KEY="an older key of this installation, since replaced"):
        old = token(ann, action)
    before = rows()
    assert answers(client, action, old) == (404, 404)
    assert rows() == before
