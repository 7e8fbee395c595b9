"""Subscribers created through the management API: every write through notify's services
(double opt-in with one message owed, or confirmed on an operator's word and nothing sent),
audited; bad input named field by field and nothing written."""

import pytest

from notify.models import Subscriber
from tests.notify import test_signup_redis_down as redis_faults
from tests.statuspage.api_v1.subscriber_data import (
    CONFIRM,
    HOOK,
    NOTICE,
    SLACK,
    audited,
    nothing_written,
)

pytestmark = pytest.mark.django_db
# The sign-up counters' Redis behind a proxy the test can cut (a fixture of the sign-up tests).
limits_proxy = redis_faults.redis_proxy


# --- Creating -----------------------------------------------------------------------------------


def test_a_new_subscriber_is_asked_to_confirm(
    api, base, components, mailoutbox, django_capture_on_commit_callbacks
):
    api_component = components["API"].public_id
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"{base}/subscribers",
            {"subscriber": {"email": "Ann@Example.com", "component_ids": [api_component]}},
            format="json",
        )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["email"], body["state"], body["components"]) == (
        "ann@example.com",
        "unconfirmed",
        [api_component],
    )
    assert body["skip_confirmation_notification"] is False
    ann = Subscriber.objects.get()
    assert (ann.consent_source, ann.confirmed_at, ann.consent_ip) == (
        "api-unconfirmed",
        None,
        "127.0.0.1",
    )
    assert [(m.to, m.subject) for m in mailoutbox] == [(["ann@example.com"], CONFIRM)]


def test_a_form_encoded_subscriber_as_statuspage_clients_send_it(
    api, base, components, mailoutbox, django_capture_on_commit_callbacks
):
    api_id, web_id = components["API"].public_id, components["Web"].public_id
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"{base}/subscribers",
            f"subscriber[email]=ann@example.com&subscriber[component_ids][]={api_id}"
            f"&subscriber[component_ids][]={web_id}&subscriber[language]=ja",
            content_type="application/x-www-form-urlencoded",
        )

    assert response.status_code == 201, response.json()
    ann = Subscriber.objects.get()
    assert sorted(c.public_id for c in ann.components.all()) == sorted([api_id, web_id])
    assert ann.language == "ja"
    assert len(mailoutbox) == 1


def test_the_nulls_a_generated_client_sends_for_what_it_leaves_out_are_ignored(api, base):
    unset = dict.fromkeys(
        [
            "endpoint",
            "phone_number",
            "phone_country",
            "component_ids",
            "skip_confirmation_notification",
            "page_access_user",
            "language",
        ]
    )

    response = api.post(
        f"{base}/subscribers",
        {"subscriber": {"email": "ann@example.com", **unset}},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert (response.json()["state"], response.json()["language"]) == ("unconfirmed", "en")


def test_a_retried_create_makes_one_subscriber_and_owes_one_message(
    api, base, components, mailoutbox, django_capture_on_commit_callbacks
):
    body = {"subscriber": {"email": "ann@example.com"}}
    with django_capture_on_commit_callbacks(execute=True):
        first = api.post(f"{base}/subscribers", body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
        again = api.post(f"{base}/subscribers", body, format="json", HTTP_IDEMPOTENCY_KEY="k1")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Subscriber.objects.count() == 1
    assert [m.subject for m in mailoutbox] == [CONFIRM]


def test_an_address_with_a_subscription_keeps_it_and_is_told(
    api, base, people, components, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"{base}/subscribers",
            {"subscriber": {"email": "ann@example.com", "language": "ja"}},
            format="json",
        )

    assert response.status_code == 200
    assert response.json()["id"] == people["ann"].public_id
    ann = Subscriber.objects.get(pk=people["ann"].pk)
    assert (ann.language, ann.consent_source) == ("en", "page")
    assert [c.name for c in ann.components.all()] == ["API"]
    assert [(m.to, m.subject) for m in mailoutbox] == [(["ann@example.com"], NOTICE)]
    assert Subscriber.objects.count() == 7


def test_skipping_the_confirmation_records_the_operator_s_word_and_sends_nothing(
    api, base, oncall, components, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api.post(
            f"{base}/subscribers",
            {"subscriber": {"email": "ann@example.com", "skip_confirmation_notification": True}},
            format="json",
        )

    assert response.status_code == 201, response.json()
    assert response.json()["skip_confirmation_notification"] is True
    assert response.json()["state"] == "active"
    ann = Subscriber.objects.get()
    assert ann.is_active and ann.consent_source == "api" and ann.confirmation_due_at is None
    audit = audited().get()
    assert (audit.action, audit.actor, audit.object_id, audit.summary) == (
        "subscribe_confirmed",
        oncall,
        ann.public_id,
        "email an…@example.com",
    )
    assert callbacks == [] and mailoutbox == []


def test_skipping_the_confirmation_leaves_an_address_with_a_subscription_alone(
    api, base, people, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"{base}/subscribers",
            {"subscriber": {"email": "dee@example.com", "skip_confirmation_notification": True}},
            format="json",
        )

    message = (
        f"This address has a subscription already ({people['dee'].public_id}): it is kept as "
        "it is, and nothing was sent."
    )
    assert response.status_code == 400
    assert response.json() == {
        "error": f"subscriber.email: {message}",
        "fields": {"subscriber.email": message},
    }
    assert Subscriber.objects.get(pk=people["dee"].pk).unsubscribed_at is not None
    nothing_written(7)
    assert mailoutbox == []


def test_an_sms_subscriber_from_statuspage_s_number_and_country(api, base, sms_on):
    response = api.post(
        f"{base}/subscribers",
        {
            "subscriber": {
                "phone_number": "090-1234-5678",
                "phone_country": "jp",
                "skip_confirmation_notification": True,
            }
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["mode"], body["phone_number"], body["phone_country"]) == (
        "sms",
        "090-1234-5678",
        "JP",
    )
    assert body["display_phone_number"] == "+81 90-1234-5678"
    assert Subscriber.objects.get().address == "+819012345678"


def test_a_webhook_subscriber_s_email_beside_its_endpoint_is_ignored(api, base):
    response = api.post(
        f"{base}/subscribers",
        {
            "subscriber": {
                "endpoint": HOOK,
                "email": "ops@example.com",
                "skip_confirmation_notification": True,
            }
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert (response.json()["mode"], response.json()["endpoint"], response.json()["email"]) == (
        "webhook",
        HOOK,
        None,
    )
    assert Subscriber.objects.get().channel == "webhook"


def test_a_slack_subscriber_by_noroshi_s_own_field(api, base):
    response = api.post(
        f"{base}/subscribers",
        {"subscriber": {"slack_webhook_url": SLACK, "skip_confirmation_notification": True}},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["mode"] == "slack"
    assert Subscriber.objects.get().address == SLACK


def test_a_webhook_asked_to_confirm_is_owed_its_verification(api, base):
    response = api.post(f"{base}/subscribers", {"subscriber": {"endpoint": HOOK}}, format="json")

    assert response.status_code == 201
    hook = Subscriber.objects.get()
    assert (hook.channel, hook.confirmed_at) == ("webhook", None)
    assert hook.confirmation_due_at is not None


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({}, "subscriber", "Send an email, a phone_number with its phone_country, a webhook "
                           "endpoint or a slack_webhook_url."),
        ({"email": "not-an-address"}, "subscriber.email",
         "“not-an-address” is not an e-mail address."),
        ({"email": "a@example.com", "phone_number": "+819012345678"}, "subscriber.email",
         "Send one way to reach the subscriber: phone_number or email."),
        ({"phone_number": "090-1234-5678"}, "subscriber.phone_country",
         "Give the two-letter country the phone_number is dialled in (e.g. JP), or write the "
         "number with + and its country code."),
        ({"phone_number": "090-1234-5678", "phone_country": "XX"}, "subscriber.phone_country",
         "“XX” is not a two-letter country code (e.g. JP)."),
        ({"phone_number": "03-1234-5678", "phone_country": "JP"}, "subscriber.phone_number",
         "“+81312345678” is a landline or service number: SMS needs a mobile number."),
        ({"endpoint": "http://hooks.example.com/x"}, "subscriber.endpoint",
         "“http://hooks.example.com/x” is not an https URL: only https is allowed."),
        ({"slack_webhook_url": HOOK}, "subscriber.slack_webhook_url",
         f"“{HOOK}” is not a Slack incoming-webhook URL (https://hooks.slack.com/services/…)."),
        ({"email": "a@example.com", "component_ids": ["nosuchcomp12"]},
         "subscriber.component_ids", "There is no component “nosuchcomp12”."),
        ({"email": "a@example.com", "language": "fr"}, "subscriber.language",
         "“fr” is not one of en, ja."),
    ],
)  # fmt: skip
@pytest.mark.parametrize("skip", [False, True])
def test_a_bad_subscriber_is_named_field_by_field_and_nothing_is_written_or_sent(
    api, base, components, sms_on, mailoutbox, django_capture_on_commit_callbacks, fields,
    field, message, skip
):  # fmt: skip
    body = {"subscriber": fields | {"skip_confirmation_notification": skip}}
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"{base}/subscribers", body, format="json")

    assert response.status_code == 400
    assert response.json()["fields"] == {field: message}
    nothing_written(0)
    assert mailoutbox == []


def test_sms_is_refused_while_it_is_off(api, base):
    response = api.post(
        f"{base}/subscribers",
        {"subscriber": {"phone_number": "+819012345678"}},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "subscriber.phone_number": "SMS is off: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and "
        "TWILIO_FROM_NUMBER."
    }
    nothing_written(0)


def test_a_body_without_its_envelope_is_told_how_to_send_it(api, base):
    response = api.post(f"{base}/subscribers", {"email": "a@example.com"}, format="json")

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "subscriber": 'Send the fields inside “subscriber”: {"subscriber": {…}}.'
    }
    nothing_written(0)


def test_an_address_s_share_of_messages_is_kept_as_on_the_subscribe_page(
    api, base, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.NOROSHI_SIGNUPS_PER_ADDRESS_HOUR = 1
    body = {"subscriber": {"email": "ann@example.com"}}
    with django_capture_on_commit_callbacks(execute=True):
        first = api.post(f"{base}/subscribers", body, format="json")
        second = api.post(f"{base}/subscribers", body, format="json")

    assert (first.status_code, second.status_code) == (201, 429)
    assert second.json()["error"].startswith(
        "We have sent several messages to this address in the last hour; try again in an hour."
    )
    assert 0 < int(second["Retry-After"]) <= 3600
    assert [m.subject for m in mailoutbox] == [CONFIRM]
    # Confirmed on the operator's word, nothing is sent: no share is taken.
    skip = {"subscriber": {"email": "ben@example.com", "skip_confirmation_notification": True}}
    assert api.post(f"{base}/subscribers", skip, format="json").status_code == 201


def test_the_api_s_sign_ups_are_not_counted_by_network(
    api, base, settings, django_capture_on_commit_callbacks
):
    settings.NOROSHI_SIGNUPS_PER_IP_HOUR = 1
    with django_capture_on_commit_callbacks(execute=True):
        for name in ("ann", "ben"):
            body = {"subscriber": {"email": f"{name}@example.com"}}
            assert api.post(f"{base}/subscribers", body, format="json").status_code == 201


def test_with_the_limits_unreadable_nothing_is_owed_and_the_client_told_to_wait(
    api, base, limits_proxy, mailoutbox, django_capture_on_commit_callbacks
):
    limits_proxy.cut()
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"{base}/subscribers", {"subscriber": {"email": "ann@example.com"}}, format="json"
        )

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json() == {
        "error": "Sign-ups are paused for a moment. Nothing was saved: try again shortly."
    }
    nothing_written(0)
    assert mailoutbox == []
    # Confirmed on the operator's word, nothing is sent: the limits are not asked.
    skip = {"subscriber": {"email": "ann@example.com", "skip_confirmation_notification": True}}
    assert api.post(f"{base}/subscribers", skip, format="json").status_code == 201
