"""SMS consent and what Twilio tells us back: the 6-digit code, YES/STOP/START replies through
the inbound webhook, and status callbacks — signed, repeated and out of order."""

import re
from urllib.parse import urlencode, urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from incidents import services
from notify import delivery
from notify import services as notify_services
from notify.confirmations import answer_sign_up
from notify.models import Delivery, Notification, Subscriber
from tests.notify.fan_out import fan_out

pytestmark = pytest.mark.django_db

INBOUND = "http://127.0.0.1:8000/twilio/inbound"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response />'


def post_signed(client, url: str, params: dict, signature: str, headers: dict | None = None):
    """POST what Twilio would post to `url` (the URL it signed) through the test client."""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return client.post(
        path,
        urlencode(params),
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": signature, **(headers or {})},
    )


def text_in(twilio, number: str, body: str, client):
    params, signature = twilio.inbound(INBOUND, from_=number, body=body)
    return post_signed(client, INBOUND, params, signature)


def twiml(text: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?><Response><Message>{text}</Message></Response>'


def code_in(body: str) -> str:
    return re.search(r"[0-9]{6}", body).group(0)


def snapshot(subscriber: Subscriber) -> dict:
    subscriber.refresh_from_db()
    return {
        field.name: getattr(subscriber, field.name)
        for field in Subscriber._meta.concrete_fields
        if field.name != "confirmation_attempts"
    }


# --- The confirmation code ---------------------------------------------------------------------


def test_subscribing_texts_a_code_that_confirms(twilio, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        subscriber = notify_services.subscribe(channel="sms", address="+81 90 1234 5678")
    [message] = twilio.messages
    code = code_in(message.body)
    assert message.body == (
        f"[Noroshi] Your code is {code}. Reply YES to confirm, or enter the code on the page."
    )
    assert (message.to, message.validity_period, message.status_callback) == (
        "+819012345678",
        "600",
        "",
    )
    subscriber.refresh_from_db()
    assert code not in subscriber.confirmation_code_hash
    assert len(subscriber.confirmation_code_hash) == 64
    assert subscriber.confirmation_sent_at is not None
    assert subscriber.confirmed_at is None

    confirmed = notify_services.confirm_with_code(subscriber=subscriber, code=f" {code} ")
    assert confirmed.confirmed_at is not None
    assert confirmed.confirmation_attempts == 0
    # The right code stays good while it lives (a double submit), and changes nothing more.
    again = notify_services.confirm_with_code(subscriber=subscriber, code=code)
    assert again.confirmed_at == confirmed.confirmed_at


def test_the_code_comes_in_the_subscribers_language(twilio, texter):
    subscriber = texter("+819012345678", confirmed=False, language="ja")
    assert answer_sign_up(subscriber.pk) is True
    body = twilio.messages[0].body
    assert body == (
        f"[Noroshi] 確認コードは {code_in(body)} です。YES と返信するか、"
        "ページでコードを入力して確認してください。"
    )


def test_five_wrong_codes_void_the_code_until_a_new_one_is_sent(twilio, texter):
    subscriber = texter("+819012345678", confirmed=False)
    answer_sign_up(subscriber.pk)
    right = code_in(twilio.messages[0].body)
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    before = snapshot(subscriber)
    messages = []
    for _ in range(5):
        with pytest.raises(ValidationError) as error:
            notify_services.confirm_with_code(subscriber=subscriber, code=wrong)
        messages.append(error.value.message_dict["code"][0])
    assert messages == [
        "That code is not right: 4 tries left.",
        "That code is not right: 3 tries left.",
        "That code is not right: 2 tries left.",
        "That code is not right: 1 try left.",
        "That code is not right, and that was the last try: ask for a new code.",
    ]
    with pytest.raises(ValidationError) as error:
        notify_services.confirm_with_code(subscriber=subscriber, code=right)
    assert error.value.message_dict == {
        "code": ["Too many wrong codes: this code no longer works. Ask for a new one."]
    }
    assert snapshot(subscriber) == before  # only the count of tries was written
    assert subscriber.confirmation_attempts == 5

    answer_sign_up(subscriber.pk)
    fresh = code_in(twilio.messages[1].body)
    assert notify_services.confirm_with_code(subscriber=subscriber, code=fresh).confirmed_at


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "12 345", "abcdef", "１２３４５６"])
def test_a_malformed_code_is_refused_without_using_a_try(twilio, texter, typed):
    subscriber = texter("+819012345678", confirmed=False)
    answer_sign_up(subscriber.pk)
    with pytest.raises(ValidationError) as error:
        notify_services.confirm_with_code(subscriber=subscriber, code=typed)
    assert error.value.message_dict == {
        "code": ["Enter the 6 digits of the code we sent you by SMS."]
    }
    subscriber.refresh_from_db()
    assert (subscriber.confirmation_attempts, subscriber.confirmed_at) == (0, None)


def test_an_expired_code_is_refused(twilio, texter):
    subscriber = texter("+819012345678", confirmed=False)
    answer_sign_up(subscriber.pk)
    Subscriber.objects.update(
        confirmation_sent_at=timezone.now() - notify_services.SMS_CODE_LIFETIME
    )
    before = snapshot(subscriber)
    with pytest.raises(ValidationError) as error:
        notify_services.confirm_with_code(
            subscriber=subscriber, code=code_in(twilio.messages[0].body)
        )
    assert error.value.message_dict == {"code": ["This code has expired: ask for a new one."]}
    assert snapshot(subscriber) == before
    assert subscriber.confirmation_attempts == 0


def test_replying_yes_confirms(twilio, texter, client):
    subscriber = texter("+819012345678", confirmed=False)
    answer_sign_up(subscriber.pk)
    response = text_in(twilio, "+819012345678", " yes ", client)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    assert response.content.decode() == twiml(
        "You are subscribed to Noroshi status updates. Reply STOP to stop."
    )
    subscriber.refresh_from_db()
    assert subscriber.confirmed_at is not None
    assert subscriber.confirmation_code_hash == ""


def test_yes_from_a_number_with_nothing_pending_confirms_nothing(twilio, texter, client):
    never_sent = texter("+819012345678", confirmed=False)  # no code was ever texted
    response = text_in(twilio, "+819012345678", "YES", client)
    assert response.content.decode() == twiml(
        "No subscription to Noroshi status updates is waiting for confirmation at this number."
    )
    never_sent.refresh_from_db()
    assert never_sent.confirmed_at is None


# --- STOP and START ----------------------------------------------------------------------------


def test_stop_then_start(twilio, texter, client):
    subscriber = texter("+819012345678")
    response = text_in(twilio, "+819012345678", "Stop", client)
    assert response.content.decode() == twiml(
        "You will get no more Noroshi status updates. Reply START to resubscribe."
    )
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at is not None
    services.declare_incident(name="Down", body="Investigating.")
    fan_out(Notification.objects.get().pk)
    assert Delivery.objects.count() == 0  # nobody to text

    response = text_in(twilio, "+819012345678", "START", client)
    assert response.content.decode() == twiml(
        "You will get Noroshi status updates again. Reply STOP to stop."
    )
    subscriber.refresh_from_db()
    assert subscriber.is_active
    assert twilio.messages == []  # replies go back as TwiML, not as new messages


def test_start_lifts_a_suspension_but_never_confirms(twilio, texter, client):
    suspended = texter(
        "+819012345678", suspended_at=timezone.now(), suspended_reason="Twilio 21610"
    )
    pending = texter("+819087654321", confirmed=False)
    text_in(twilio, "+819012345678", "unstop", client)
    suspended.refresh_from_db()
    assert (suspended.is_active, suspended.suspended_reason) == (True, "")

    response = text_in(twilio, "+819087654321", "START", client)
    assert response.content.decode() == twiml(
        "This number has no confirmed subscription to Noroshi status updates to resume. "
        "Subscribe on the status page."
    )
    pending.refresh_from_db()
    assert pending.confirmed_at is None


def test_replies_speak_the_subscribers_language(twilio, texter, client):
    texter("+819012345678", language="ja")
    response = text_in(twilio, "+819012345678", "STOP", client)
    assert response.content.decode() == twiml(
        "Noroshi のステータス更新の配信を停止しました。再開するには START と返信してください。"
    )


def test_other_texts_get_no_answer_and_change_nothing(twilio, texter, client):
    subscriber = texter("+819012345678")
    before = snapshot(subscriber)
    for body in ("Hello?", "stop it now", ""):
        assert text_in(twilio, "+819012345678", body, client).content.decode() == EMPTY_TWIML
    assert snapshot(subscriber) == before


def test_an_unsigned_or_forged_inbound_message_is_refused(twilio, texter, client):
    subscriber = texter("+819012345678")
    params, signature = twilio.inbound(INBOUND, from_="+819012345678", body="STOP")
    assert post_signed(client, INBOUND, params, "").status_code == 403
    assert (
        post_signed(client, INBOUND, {**params, "From": "+819087654321"}, signature).status_code
        == 403
    )
    assert client.get("/twilio/inbound").status_code == 405
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at is None


# --- Status callbacks --------------------------------------------------------------------------


def callback(client, twilio, status: str, error_code: str = "", message=None):
    url, params, signature = twilio.status_callback(
        message or twilio.messages[0], status, error_code
    )
    return post_signed(client, url, params, signature)


def test_status_callbacks_only_move_forward(sms_announced, twilio, client):
    delivery.deliver_batch([sms_announced])
    seen = []
    for status in ("sent", "queued", "delivered", "sent", "delivered", "failed"):
        assert callback(client, twilio, status).status_code == 204
        seen.append(Delivery.objects.get().provider_status)
    assert seen == ["sent", "sent", "delivered", "delivered", "delivered", "delivered"]
    assert Delivery.objects.get().state == "sent"


def test_a_callback_with_a_bad_signature_is_refused_and_changes_nothing(
    sms_announced, twilio, client
):
    delivery.deliver_batch([sms_announced])
    url, params, signature = twilio.status_callback(twilio.messages[0], "delivered")
    assert post_signed(client, url, params, "bm90IGEgc2lnbmF0dXJl").status_code == 403
    assert (
        post_signed(client, url, {**params, "MessageStatus": "failed"}, signature).status_code
        == 403
    )
    another_delivery = re.sub(r"-[0-9]+$", "-999", url)
    assert post_signed(client, another_delivery, params, signature).status_code == 403
    assert client.get(urlsplit(url).path).status_code == 405
    assert Delivery.objects.get().provider_status == ""


def test_a_callback_settles_an_unknown_delivery(sms_announced, twilio, client):
    twilio.drop_next()
    assert delivery.deliver_batch([sms_announced]) == {"unknown": 1}
    callback(client, twilio, "delivered")
    settled = Delivery.objects.get()
    assert (settled.state, settled.provider_status, settled.provider_id) == (
        "sent",
        "delivered",
        twilio.messages[0].sid,
    )
    assert settled.error == "Settled by Twilio's status callback: delivered."


def test_an_undelivered_callback_fails_an_unknown_delivery_and_counts_once(
    sms_announced, twilio, client
):
    twilio.drop_next()
    delivery.deliver_batch([sms_announced])
    for _ in range(2):
        callback(client, twilio, "undelivered", "30005")
    failed = Delivery.objects.select_related("subscriber").get()
    assert (failed.state, failed.provider_status) == ("failed", "undelivered")
    assert failed.subscriber.consecutive_failures == 1


def announce_three_incidents() -> list[int]:
    ids = []
    for n in range(3):
        incident = services.declare_incident(name=f"Down {n}", body="Investigating.")
        notification = Notification.objects.get(incident=incident)
        fan_out(notification.pk)
        ids.append(Delivery.objects.get(notification=notification).pk)
    return ids


def test_a_number_that_does_not_take_sms_is_suspended_after_three_failures(twilio, texter, client):
    subscriber = texter("+819012345678")
    delivery.deliver_batch(announce_three_incidents())
    for message in twilio.messages:
        callback(client, twilio, "failed", "21610", message=message)
        callback(client, twilio, "failed", "21610", message=message)  # repeated: counted once
    subscriber.refresh_from_db()
    assert subscriber.suspended_at is not None
    assert subscriber.suspended_reason == "Twilio 21610: the number replied STOP"
    assert set(Delivery.objects.values_list("state", "provider_status")) == {("sent", "failed")}


def test_failures_reported_between_sends_still_add_up(twilio, texter, client):
    subscriber = texter("+819012345678")
    for delivery_id in announce_three_incidents():
        delivery.deliver_batch([delivery_id])
        callback(client, twilio, "failed", "21610", message=twilio.messages[-1])
    subscriber.refresh_from_db()
    assert subscriber.suspended_at is not None


def test_callbacks_through_the_proxy_are_checked_against_the_public_url(
    sms_announced, twilio, client, settings
):
    # nginx passes Host and X-Forwarded-Proto; gunicorn itself is reached over plain HTTP.
    settings.SITE_URL = "https://status.example.com"
    delivery.deliver_batch([sms_announced])
    assert twilio.messages[0].status_callback.startswith("https://status.example.com/twilio/")
    assert callback(client, twilio, "sent").status_code == 204

    # SITE_URL out of date: the URL rebuilt from the proxy's headers is tried as well.
    settings.SITE_URL = "http://127.0.0.1:8000"
    settings.ALLOWED_HOSTS = ["status.example.com"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    url, params, signature = twilio.status_callback(twilio.messages[0], "delivered")
    proxied = {"Host": "status.example.com", "X-Forwarded-Proto": "https"}
    response = post_signed(client, url, params, signature, proxied)
    assert response.status_code == 204
    assert Delivery.objects.get().provider_status == "delivered"


@pytest.mark.django_db(transaction=True)
def test_twilio_calls_back_over_http(twilio, texter, live_server, settings):
    settings.SITE_URL = live_server.url
    texter("+819012345678")
    services.declare_incident(name="Down", body="Investigating.")  # sent on commit
    assert Delivery.objects.get().state == "sent"
    assert twilio.fire_status_callback(twilio.messages[0], "delivered") == 204
    assert Delivery.objects.get().provider_status == "delivered"
