"""Subscribing (double opt-in), confirming and unsubscribing through signed links."""

import re

import pytest
from django.core.exceptions import ValidationError

from notify import services
from notify.models import Subscriber
from notify.signing import manage_url, token, unsubscribe_url

pytestmark = pytest.mark.django_db(transaction=True)


def link_in(message) -> str:
    return re.search(r"http://\S+", message.body).group(0)


def test_subscribing_sends_a_confirmation_and_confirming_by_post(client, mailoutbox, components):
    subscriber = services.subscribe(
        channel="email",
        address="Ann@Example.COM",
        language="ja",
        components=[components["API"]],
        ip="203.0.113.5",
    )
    assert (subscriber.address, subscriber.language, subscriber.confirmed_at) == (
        "ann@example.com",
        "ja",
        None,
    )
    assert str(subscriber.consent_ip) == "203.0.113.5"
    assert [m.to for m in mailoutbox] == [["ann@example.com"]]
    assert mailoutbox[0].subject == "Noroshiのステータス更新の購読を確認してください"
    path = link_in(mailoutbox[0]).removeprefix("http://127.0.0.1:8000")

    assert client.get(path).status_code == 200  # a GET (a mail scanner) confirms nothing
    assert Subscriber.objects.get().confirmed_at is None
    assert client.post(path).status_code == 200
    assert Subscriber.objects.get().confirmed_at is not None


def test_one_click_unsubscribe_by_post_without_cookies(client, components):
    subscriber = services.subscribe(channel="email", address="ben@example.com")
    services.confirm(subscriber=subscriber)
    path = unsubscribe_url(subscriber).removeprefix("http://127.0.0.1:8000")

    assert client.get(path).status_code == 200
    assert Subscriber.objects.get().unsubscribed_at is None
    response = client.post(
        path,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert Subscriber.objects.get().unsubscribed_at is not None


def test_a_forged_or_foreign_token_is_refused(client):
    subscriber = services.subscribe(channel="email", address="chie@example.jp")
    confirm_token = token(subscriber, "confirm")
    forged = subscriber.public_id + ":not-a-signature"
    assert client.post(f"/subscriptions/unsubscribe/{forged}").status_code == 404
    # A confirm link does not unsubscribe.
    assert client.post(f"/subscriptions/unsubscribe/{confirm_token}").status_code == 404
    assert Subscriber.objects.get().unsubscribed_at is None


BAD_ADDRESS = {"address": ["“not-an-address” is not an e-mail address."]}
NO_SMS = {
    "channel": ["SMS is off: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER."]
}
NO_FRENCH = {"language": ["“fr” is not a language of this page."]}


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({"address": "not-an-address"}, BAD_ADDRESS),
        ({"channel": "sms", "address": "+819012345678"}, NO_SMS),
        ({"language": "fr"}, NO_FRENCH),
    ],
)
def test_bad_subscriptions_are_refused_and_write_nothing(mailoutbox, arguments, expected):
    with pytest.raises(ValidationError) as error:
        services.subscribe(**{"channel": "email", "address": "dan@example.com", **arguments})
    assert error.value.message_dict == expected
    assert Subscriber.objects.count() == 0
    assert mailoutbox == []


def test_subscribing_an_unsubscribed_address_again_changes_nothing_and_mails_its_manage_link(
    mailoutbox,
):
    first = services.subscribe(channel="email", address="eve@example.com")
    services.unsubscribe(subscriber=services.confirm(subscriber=first))
    before = Subscriber.objects.values().get()

    again = services.subscribe(channel="email", address="EVE@example.com", language="ja")

    assert again.pk == first.pk
    assert Subscriber.objects.values().get() == before
    assert [m.subject for m in mailoutbox] == [
        "Confirm your subscription to Noroshi status updates",
        "Your subscription to Noroshi status updates",
    ]
    assert manage_url(first) in mailoutbox[1].body
