"""Malformed signed links and notify URLs: a NUL, bytes that are not UTF-8, an overlong token, a
token of another action or with a tampered signature are not found (404) — never a 500 — and
write and send nothing."""

from urllib.parse import urlencode

import pytest

from incidents import services as incident_services
from notify.models import Delivery, Subscriber
from notify.signing import link_path, token
from tests.notify.test_sms_webhooks import EMPTY_TWIML, INBOUND, post_signed
from tests.statuspage.page_html import parse

pytestmark = pytest.mark.django_db(transaction=True)

ACTIONS = ("confirm", "code", "manage", "unsubscribe")


def every_row() -> list[dict]:
    """What a malformed request must leave as it was: every subscriber and delivery."""
    return [*Subscriber.objects.order_by("pk").values(), *Delivery.objects.order_by("pk").values()]


def tampered(value: str) -> str:
    """The token with the last character of its signature changed."""
    return value[:-1] + ("A" if value[-1] != "A" else "B")


def malformed_tokens(subscriber: Subscriber, action: str) -> dict[str, str]:
    """The text that follows /subscriptions/<action>/, already percent-encoded for a path."""
    good = token(subscriber, action)
    other = "manage" if action != "manage" else "unsubscribe"
    return {
        "nul": "%00",
        "nul in a good token": f"{good}%00",
        "nul as the public id": f"%00{good[1:]}",
        "bad utf-8": "%ff",
        "bad utf-8 in a good token": f"{good[:-1]}%ff",
        "overlong": "a" * 5000,
        "overlong signature": f"{subscriber.public_id}:{'A' * 500}",
        "other action": token(subscriber, other),
        "tampered signature": tampered(good),
        "no signature": subscriber.public_id,
        "empty signature": f"{subscriber.public_id}:",
        "upper-case public id": good.upper(),
        "percent-encoded colon": good.replace(":", "%3A", 1) + "x",
    }


@pytest.fixture
def pending(components, mailoutbox, twilio):
    subscriber = Subscriber.objects.create(channel="email", address="ann@example.com")
    mailoutbox.clear()
    return subscriber


@pytest.mark.parametrize("action", ACTIONS)
def test_malformed_tokens_of_every_signed_link_are_not_found(
    client, pending, action, mailoutbox, twilio
):
    before = every_row()
    for name, value in malformed_tokens(pending, action).items():
        path = f"/subscriptions/{action}/{value}"
        for method in ("get", "post", "head"):
            response = getattr(client, method)(path, {"code": "123456"} if method == "post" else {})
            assert response.status_code == 404, (name, method)
            # A NUL, bytes that are not UTF-8 or a segment over 255 characters never reach the
            # view: the site refuses any such address (statuspage.middleware) with its own
            # not-found page, stored by nobody.
            refused_by_site = "%00" in value or "%ff" in value or len(value) > 255
            heading = "Page not found" if refused_by_site else "This link is not valid"
            if method != "head":
                assert parse(response.content).find("h1").text() == heading, name
            assert response["Cache-Control"] == (
                "no-store"
                if refused_by_site
                else "max-age=0, no-cache, no-store, must-revalidate, private"
            )
    assert every_row() == before
    assert (mailoutbox, twilio.messages) == ([], [])


@pytest.mark.parametrize("action", ACTIONS)
def test_a_well_formed_token_of_nobody_is_not_found(client, action):
    for value in (f"{'z' * 12}:{'A' * 43}", f"{'0' * 12}:x"):
        assert client.get(f"/subscriptions/{action}/{value}").status_code == 404


def test_the_incident_subscribe_url_with_a_malformed_id_is_not_found(
    client, components, mailoutbox
):
    incident = incident_services.declare_incident(
        name="Slow checkout", body="Investigating.", deliver_notifications=False
    )
    incident_services.resolve_incident(incident=incident, body="Fixed.")
    form = {"channel": "email", "address": "ann@example.com", "language": "en"}
    for value in ("%00", f"{incident.public_id}%00", "%ff", "a" * 5000, incident.public_id.upper()):
        for response in (
            client.get(f"/incidents/{value}/subscribe"),
            client.post(f"/incidents/{value}/subscribe", form),
        ):
            assert response.status_code == 404, value
    assert client.get(f"/incidents/{incident.public_id}/subscribe").status_code == 200
    assert Subscriber.objects.count() == 0
    assert mailoutbox == []


def test_malformed_values_in_the_subscribe_form_are_refused_and_write_nothing(
    client, components, mailoutbox
):
    for fields in (
        {"channel": "email", "address": "ann\x00@example.com", "language": "en", "scope": "all"},
        {"channel": "\x00", "address": "ann@example.com", "language": "en", "scope": "all"},
        {"channel": "email", "address": "ann@example.com", "language": "\x00", "scope": "all"},
        {"channel": "email", "address": "a@b.jp", "scope": "components", "components": ["\x00"]},
    ):
        assert client.post("/subscribe", fields).status_code == 400, fields
    raw = "channel=email&address=ann%ff%00%40example.com&language=en&scope=all"
    response = client.post("/subscribe", raw, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert client.get("/subscribe?channel=%00&lang=%ff").status_code == 200
    assert Subscriber.objects.count() == 0
    assert mailoutbox == []


def test_a_code_with_a_nul_or_bad_utf8_is_refused_without_using_a_try(client, twilio, texter):
    subscriber = texter("+819012345678", confirmed=False)
    path = link_path(subscriber, "code")
    before = every_row()
    for raw in ("code=12%0034", "code=%ff%fe%fd", "code=" + "1" * 5000):
        response = client.post(path, raw, content_type="application/x-www-form-urlencoded")
        assert response.status_code == 400, raw
    assert every_row() == before
    assert twilio.messages == []


def test_twilio_status_callbacks_with_a_malformed_key_are_not_found(client, sms_announced, twilio):
    before = every_row()
    for key in ("%00", "noroshi-1-1%00", "%ff", "noroshi-" + "1" * 5000 + "-1", "noroshi-x-1"):
        url = f"http://127.0.0.1:8000/twilio/status/{key}"
        params = {"MessageSid": "SM1", "MessageStatus": "delivered"}
        response = post_signed(client, url, params, twilio.sign(url, params))
        assert response.status_code == 404, key
    assert every_row() == before


@pytest.mark.parametrize("sender", ["\x00", "+81901234\x005678", "\ufffd", "+" + "1" * 5000])
def test_inbound_sms_from_a_malformed_sender_changes_nothing(client, twilio, texter, sender):
    texter("+819012345678")
    before = every_row()
    for body in ("STOP", "START", "YES", "\x00"):
        params, signature = twilio.inbound(INBOUND, from_=sender, body=body)
        response = post_signed(client, INBOUND, params, signature)
        assert (response.status_code, response.content.decode()) == (200, EMPTY_TWIML)
    raw = urlencode({"From": "+819012345678", "Body": "STOP"}).replace("STOP", "%ffSTOP")
    response = client.post("/twilio/inbound", raw, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 403
    assert every_row() == before
    assert twilio.messages == []
