"""The SMS channel through the real twilio SDK and a fake Twilio on 127.0.0.1: numbers, what is
texted and when, how each answer (or silence) of Twilio ends a delivery, pacing, staleness."""

import socket
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from incidents import services
from notify import delivery, lost_work
from notify import services as notify_services
from notify.addresses import phone_number
from notify.channels import disabled_reason
from notify.channels.sms import SmsChannel
from notify.messages import Announcement, sms
from notify.messages.sms import LIMIT, encoding, units
from notify.models import Delivery, Notification, Subscriber
from tests.factories import ComponentFactory, ComponentGroupFactory
from tests.notify.fan_out import fan_out

pytestmark = pytest.mark.django_db


def incident_url(incident) -> str:
    return f"http://127.0.0.1:8000/incidents/{incident.public_id}"


# --- Settings and numbers ----------------------------------------------------------------------


def test_sms_is_off_until_twilio_is_configured_and_says_what_is_missing(settings):
    settings.TWILIO_ACCOUNT_SID = settings.TWILIO_AUTH_TOKEN = ""
    settings.TWILIO_FROM_NUMBER = settings.TWILIO_MESSAGING_SERVICE_SID = ""
    assert disabled_reason("sms") == (
        "SMS is off: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER."
    )
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = "AC1", "token"
    assert disabled_reason("sms") == "SMS is off: set TWILIO_FROM_NUMBER."
    settings.TWILIO_MESSAGING_SERVICE_SID = "MG1"
    assert disabled_reason("sms") == ""


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("+81 90-1234-5678", "+819012345678"),
        (" +1 (415) 555-0100 ", "+14155550100"),
        ("+44 7911 123456", "+447911123456"),
    ],
)
def test_numbers_are_stored_in_e164(twilio, written, stored):
    assert phone_number(written) == stored


BAD_NUMBERS = [
    ("", "Enter a mobile phone number, starting with + and the country code."),
    (
        "090-1234-5678",
        "“090-1234-5678” is not a phone number: write it with + and the country code, "
        "e.g. +81 90 1234 5678.",
    ),
    (
        "call me",
        "“call me” is not a phone number: write it with + and the country code, "
        "e.g. +81 90 1234 5678.",
    ),
    (
        "+81 90 0000 0001",
        "“+81 90 0000 0001” is not a phone number in use: check its digits and country code.",
    ),
    (
        "+33 6 12 34 56 78",
        "SMS can only go to the country codes +1, +44, +81; “+33 6 12 34 56 78” has +33.",
    ),
    (
        "+81 3 1234 5678",
        "“+81 3 1234 5678” is a landline or service number: SMS needs a mobile number.",
    ),
]


@pytest.mark.parametrize(("written", "message"), BAD_NUMBERS)
def test_bad_numbers_are_refused_and_nothing_is_written_or_sent(
    twilio, django_capture_on_commit_callbacks, written, message
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as error:
        notify_services.subscribe(channel="sms", address=written)
    assert error.value.message_dict == {"address": [message]}
    assert Subscriber.objects.count() == 0
    assert twilio.messages == []


def test_any_country_code_when_the_setting_says_star(twilio, settings):
    settings.NOROSHI_SMS_COUNTRY_CODES = "*"
    assert phone_number("+33 6 12 34 56 78") == "+33612345678"
    settings.NOROSHI_SMS_COUNTRY_CODES = "33"
    with pytest.raises(ValidationError) as error:
        phone_number("+81 90 1234 5678")
    assert error.value.message_dict == {
        "address": ["SMS can only go to the country codes +33; “+81 90 1234 5678” has +81."]
    }


# --- What goes out, and when -------------------------------------------------------------------


def test_sms_goes_only_on_creation_resolution_and_maintenance_start(
    twilio, texter, components, django_capture_on_commit_callbacks
):
    texter("+819012345678")
    texter("+14155550100")
    texter("+819011112222", confirmed=False)
    texter("+819033334444", unsubscribed_at=timezone.now())
    scoped_elsewhere = texter("+819055556666")
    scoped_elsewhere.components.set([components["Web"]])
    Subscriber.objects.create(
        channel="email", address="ann@example.com", confirmed_at=timezone.now()
    )
    with django_capture_on_commit_callbacks(execute=True):
        incident = services.declare_incident(
            name="Elevated API errors",
            body="We are **investigating**.",
            component_statuses={components["API"]: "major_outage"},
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.post_update(incident=incident, status="identified", body="A bad deploy.")
    with django_capture_on_commit_callbacks(execute=True):
        services.resolve_incident(incident=incident, body="Rolled back.")
    with django_capture_on_commit_callbacks(execute=True):
        maintenance = services.schedule_maintenance(
            name="Database upgrade",
            body="Planned.",
            scheduled_for=timezone.now() + timedelta(hours=1),
            scheduled_until=timezone.now() + timedelta(hours=2),
            components=[components["API"]],
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.start_maintenance(maintenance=maintenance)
    with django_capture_on_commit_callbacks(execute=True):
        services.complete_maintenance(maintenance=maintenance)

    assert twilio.per_recipient() == {"+819012345678": 3, "+14155550100": 3}
    link = incident_url(incident)
    assert [m.body for m in twilio.messages if m.to == "+819012345678"] == [
        "[Noroshi] [Investigating] Elevated API errors (API: Major outage): We are "
        f"investigating. {link}",
        f"[Noroshi] [Resolved] Elevated API errors (API: Operational): Rolled back. {link}",
        "[Noroshi] [In progress] Database upgrade (API: Under maintenance): The scheduled "
        "maintenance has started. We will post updates as it proceeds. "
        f"{incident_url(maintenance)}",
    ]
    assert set(Delivery.objects.filter(channel="sms").values_list("state", flat=True)) == {"sent"}


def test_each_message_names_its_sender_validity_and_callback(sms_announced, twilio):
    assert delivery.deliver_batch([sms_announced]) == {"sent": 1}
    sent = Delivery.objects.get()
    [message] = twilio.messages
    assert (message.to, message.from_, message.messaging_service_sid) == (
        "+819012345678",
        "+15005550006",
        "",
    )
    assert message.validity_period == "600"
    assert message.status_callback == (
        f"http://127.0.0.1:8000/twilio/status/noroshi-{sent.notification_id}-{sent.subscriber_id}"
    )
    assert (sent.state, sent.provider_id) == ("sent", message.sid)


def test_a_messaging_service_replaces_the_from_number(sms_announced, twilio, settings):
    settings.TWILIO_MESSAGING_SERVICE_SID = "MG" + "1" * 32
    settings.NOROSHI_SMS_VALIDITY_SECONDS = 300
    delivery.deliver_batch([sms_announced])
    [message] = twilio.messages
    assert (message.from_, message.messaging_service_sid) == ("", "MG" + "1" * 32)
    assert message.validity_period == "300"


# --- Rendering: two segments at most, the link never cut ----------------------------------------


def rendered(components, language, **incident):
    services.declare_incident(component_statuses={components["API"]: "major_outage"}, **incident)
    return sms.render(Announcement(Notification.objects.get(), language))


def test_a_long_body_is_cut_to_two_gsm_segments_and_the_link_is_kept(twilio, components):
    text = rendered(components, "en", name="Elevated API errors", body="Word " * 200)
    incident = Notification.objects.get().incident
    assert encoding(text) == "gsm"
    assert units(text, "gsm") <= LIMIT["gsm"] == 306
    assert text.startswith(
        "[Noroshi] [Investigating] Elevated API errors (API: Major outage): Word Word"
    )
    assert text.endswith(f"Word... {incident_url(incident)}")


def test_japanese_is_cut_to_two_ucs2_segments(twilio, components):
    text = rendered(
        components,
        "ja",
        name="API errors",
        name_ja="APIのエラー率上昇",
        body="Investigating.",
        body_ja="原因を調査しています。" * 20,
    )
    incident = Notification.objects.get().incident
    assert encoding(text) == "ucs2"
    assert units(text, "ucs2") <= LIMIT["ucs2"] == 134
    assert text.startswith("[Noroshi] [調査中] APIのエラー率上昇 (API: 重大な障害): 原因を")
    assert text.endswith(f"… {incident_url(incident)}")


@pytest.fixture
def many(components):
    """Twelve grouped components in a major outage, and a long body: more than fits."""
    group = ComponentGroupFactory(name="North America", name_ja="北米", position=0)
    statuses = {
        ComponentFactory(
            name=f"Region {n} gateway", name_ja=f"リージョン{n}ゲートウェイ", group=group
        ): "major_outage"
        for n in range(1, 13)
    }
    return services.declare_incident(
        name="Elevated API errors",
        name_ja="APIのエラー率上昇",
        body="Word " * 200,
        body_ja="原因を調査しています。" * 20,
        component_statuses=statuses,
    )


def test_many_components_and_a_long_body_stay_within_two_gsm_segments(twilio, many):
    text = sms.render(Announcement(Notification.objects.get(), "en"))
    assert (encoding(text), units(text, "gsm")) == ("gsm", 302)
    assert text == (
        "[Noroshi] [Investigating] Elevated API errors (North America - Region 1 gateway: "
        "Major outage, +11 more): " + "Word " * 28 + f"Word... {incident_url(many)}"
    )


def test_many_components_and_a_long_body_stay_within_two_ucs2_segments(twilio, many):
    text = sms.render(Announcement(Notification.objects.get(), "ja"))
    assert (encoding(text), units(text, "ucs2")) == ("ucs2", 134)
    assert text == (
        "[Noroshi] [調査中] APIのエラー率上昇 (北米 - リージョン1ゲートウェイ: 重大な障害, "
        f"ほか11件): 原因を調査しています。原因を調査しています。原因を調… {incident_url(many)}"
    )


def test_the_summary_lists_every_component_that_fits_with_their_new_status(twilio, recovery):
    text = sms.render(Announcement(Notification.objects.get(update=recovery), "en"))
    assert text == (
        "[Noroshi] [Monitoring] Elevated API errors (Platform - Queue: Major outage, "
        "API: Operational, Web: Degraded performance): A fix is out. "
        f"{incident_url(recovery.incident)}"
    )
    assert encoding(text) == "gsm"  # no arrow: "→" is not GSM-7


def test_the_summary_goes_before_the_headline_is_cut(twilio, components):
    name = "APIのエラー率が上昇しています" * 6
    text = rendered(
        components, "ja", name="API errors", name_ja=name, body="x", body_ja="調査中です。"
    )
    incident = Notification.objects.get().incident
    assert units(text, "ucs2") <= LIMIT["ucs2"]
    assert "重大な障害" not in text
    assert text == f"[Noroshi] [調査中] {name[:72]}… {incident_url(incident)}"


def test_no_summary_when_the_update_set_no_component(twilio, components):
    incident = services.declare_incident(name="Slow search", body="Investigating.")
    assert sms.render(Announcement(Notification.objects.get(), "en")) == (
        f"[Noroshi] [Investigating] Slow search: Investigating. {incident_url(incident)}"
    )


def test_gsm_escape_characters_count_twice():
    assert units("{x}", "gsm") == 5
    assert units("a€", "gsm") == 3
    assert units("日本😀", "ucs2") == 4
    assert encoding("Price: 5€ [beta]") == "gsm"
    assert encoding("Down…") == "ucs2"


# --- Twilio's answers --------------------------------------------------------------------------


def test_an_invalid_number_fails_for_good_and_counts_against_the_subscriber(sms_announced, twilio):
    twilio.refuse_next(status=400, code=21211, message="Invalid 'To' Phone Number")
    assert delivery.deliver_batch([sms_announced]) == {"failed": 1}
    failed = Delivery.objects.select_related("subscriber").get()
    assert failed.state == "failed"
    assert (
        failed.error
        == "Twilio error 21211 (HTTP 400): Unable to create record: Invalid 'To' Phone Number"
    )
    assert failed.subscriber.consecutive_failures == 1
    assert twilio.messages == []


@pytest.mark.parametrize(
    ("status", "code"), [(500, 20500), (503, 20503), (429, 20429), (401, 20003)]
)
def test_a_refusal_worth_retrying_leaves_the_delivery_pending_for_later(
    sms_announced, twilio, status, code
):
    twilio.refuse_next(status=status, code=code)
    assert delivery.deliver_batch([sms_announced]) == {"retry": 1}
    pending = Delivery.objects.select_related("subscriber").get()
    assert (pending.state, pending.attempts) == ("pending", 1)
    assert pending.next_attempt_at > timezone.now()
    assert pending.error.startswith(f"Twilio error {code} (HTTP {status})")
    assert pending.subscriber.consecutive_failures == 0

    Delivery.objects.update(next_attempt_at=timezone.now())
    assert delivery.deliver_batch([sms_announced]) == {"sent": 1}
    assert twilio.per_recipient() == {"+819012345678": 1}


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_connection_refused_is_retried(sms_announced, twilio, settings):
    settings.NOROSHI_TWILIO_API_URL = f"http://127.0.0.1:{closed_port()}"
    assert delivery.deliver_batch([sms_announced]) == {"retry": 1}
    pending = Delivery.objects.get()
    assert pending.state == "pending"
    assert pending.error.startswith("could not reach Twilio: ")


def test_a_connection_dropped_after_sending_is_unknown_never_retried(sms_announced, twilio):
    twilio.drop_next()
    assert delivery.deliver_batch([sms_announced]) == {"unknown": 1}
    unknown = Delivery.objects.get()
    assert unknown.state == "unknown"
    assert unknown.error.startswith("no answer from Twilio after the message was sent: ")
    assert lost_work.find_lost_work().requeue == []  # not handed out again
    assert delivery.deliver_batch([sms_announced]) == {"not_claimed": 1}
    assert len(twilio.messages) == 1  # Twilio took it once; nobody sends it again


def test_a_request_timing_out_is_unknown(sms_announced, twilio):
    twilio.hang_next()
    assert delivery.deliver_batch([sms_announced]) == {"unknown": 1}
    assert Delivery.objects.get().state == "unknown"
    # What an operator checks before resolving it: Twilio's own list of messages.
    listed = SmsChannel().client().messages.list(limit=20)
    assert [(m.to, m.status) for m in listed] == [("+819012345678", "queued")]


# --- Pacing and staleness ----------------------------------------------------------------------


def test_sends_beyond_the_rate_are_postponed_not_lost(twilio, texter, components, settings):
    settings.NOROSHI_SMS_PER_SECOND = 0.1  # one every 10 s: the second one cannot wait
    settings.TWILIO_FROM_NUMBER = f"+1500555{timezone.now().microsecond:06d}"  # its own bucket
    for number in ("+819012345678", "+819012345679", "+819012345670"):
        texter(number)
    services.declare_incident(name="Down", body="Investigating.")
    fan_out(Notification.objects.get().pk)
    ids = list(Delivery.objects.order_by("id").values_list("id", flat=True))

    assert delivery.deliver_batch(ids) == {"sent": 1, "throttled": 2}
    waiting = Delivery.objects.filter(state="pending")
    assert waiting.count() == 2
    assert all(d.next_attempt_at > timezone.now() + timedelta(seconds=1) for d in waiting)
    assert len(twilio.messages) == 1


def test_an_sms_older_than_its_validity_is_skipped(sms_announced, twilio):
    Notification.objects.update(created_at=timezone.now() - timedelta(seconds=601))
    assert delivery.deliver_batch([sms_announced]) == {"skipped": 1}
    skipped = Delivery.objects.get()
    assert (skipped.state, skipped.error) == (
        "skipped",
        "older than the SMS validity period (600 s)",
    )
    assert twilio.messages == []


def test_an_investigating_sms_never_lands_after_resolved(twilio, texter):
    for number in ("+819012345678", "+819087654321"):
        texter(number)
    incident = services.declare_incident(name="Down", body="Investigating.")
    fan_out(Notification.objects.get().pk)
    first, second = Delivery.objects.order_by("id").values_list("id", flat=True)
    services.post_update(incident=incident, status="identified", body="Found it.")
    assert delivery.deliver_batch([first]) == {"sent": 1}  # an update that is not texted

    services.resolve_incident(incident=incident, body="Fixed.")
    assert delivery.deliver_batch([second]) == {"skipped": 1}
    assert Delivery.objects.get(pk=second).error == (
        "overtaken by a newer SMS about the same incident"
    )
    assert twilio.per_recipient() == {"+819012345678": 1}
