"""Twilio's callbacks without a signature, or with one Noroshi did not make, beyond
tests/notify/test_sms_webhooks.py (an empty or forged signature on STOP, a bad one or one of
other fields on a status callback): no X-Twilio-Signature header at all; a signature made with
an empty auth token while SMS is not configured; one made for another URL. Each is 403 and
changes nothing: STOP unsubscribes nobody, a status callback settles no delivery."""

from urllib.parse import urlencode, urlsplit

import pytest
from twilio.request_validator import RequestValidator

from notify import delivery
from notify.models import Delivery, Subscriber
from tests.notify.test_sms_webhooks import INBOUND, post_signed

pytestmark = pytest.mark.django_db


def unsigned(client, url: str, params: dict):
    parts = urlsplit(url)
    return client.post(parts.path, urlencode(params), "application/x-www-form-urlencoded")


def rows() -> list[dict]:
    return [*Subscriber.objects.order_by("pk").values(), *Delivery.objects.order_by("pk").values()]


@pytest.fixture
def sent(twilio, texter, components):
    """A confirmed SMS subscriber, told of an incident by the fake Twilio."""
    from incidents import services
    from notify.models import Notification
    from tests.notify.fan_out import fan_out

    texter("+819012345678")
    services.declare_incident(name="API errors", body="Investigating.")
    fan_out(Notification.objects.get().pk)
    assert delivery.deliver_batch(list(Delivery.objects.values_list("pk", flat=True))) == {
        "sent": 1
    }
    return twilio.messages[0]


def test_stop_and_a_status_callback_without_a_signature_change_nothing(client, twilio, sent):
    stop, _ = twilio.inbound(INBOUND, from_="+819012345678", body="STOP")
    url, status, _ = twilio.status_callback(sent, "undelivered", "30003")
    before = rows()

    assert unsigned(client, INBOUND, stop).status_code == 403
    assert unsigned(client, url, status).status_code == 403

    assert rows() == before


def test_a_signature_by_an_empty_auth_token_is_refused_while_sms_is_off(
    client, twilio, sent, settings
):
    stop, _ = twilio.inbound(INBOUND, from_="+819012345678", body="STOP")
    url, status, _ = twilio.status_callback(sent, "failed", "30003")
    settings.TWILIO_AUTH_TOKEN = ""
    empty = RequestValidator("")
    before = rows()

    assert post_signed(
        client, INBOUND, stop, empty.compute_signature(INBOUND, stop)
    ).status_code == (403)
    assert post_signed(client, url, status, empty.compute_signature(url, status)).status_code == 403

    assert rows() == before


def test_a_signature_for_another_address_is_refused(client, twilio, sent):
    stop, _ = twilio.inbound(INBOUND, from_="+819012345678", body="STOP")
    elsewhere = "https://attacker.example/twilio/inbound"
    before = rows()

    answer = post_signed(client, INBOUND, stop, twilio.sign(elsewhere, stop))

    assert answer.status_code == 403
    assert rows() == before
