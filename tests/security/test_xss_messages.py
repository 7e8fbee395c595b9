"""Hostile text in the page's name, the components' names and an incident's name and body, as
each channel delivers it through its real transport: e-mail to an SMTP sink (headers, text,
HTML), Slack and webhooks to an HTTPS receiver, SMS to a fake Twilio. The e-mail has exactly
the headers Noroshi writes (a CR or LF in a name starts no header), its HTML is inert; Slack's
mrkdwn carries no mention and no link Noroshi did not write; the webhook body is JSON whose
fields hold the text as typed; the SMS is plain text."""

import re

import pytest
from django.conf import settings
from django.utils import timezone

from incidents import services
from incidents.one_line import one_line
from notify import delivery
from notify.models import Notification, Subscriber
from tests.notify.fan_out import fan_out
from tests.security.hostile_page import hostile_settings
from tests.security.inert import html_findings
from tests.security.payloads import PAYLOADS, every_payload, joined, single_line

pytestmark = pytest.mark.django_db

SLACK_PATH = "/services/T0001/B0001/abcDEF123"
EMAIL_HEADERS = {
    "Content-Type", "MIME-Version", "Subject", "From", "To", "Date", "Message-ID",
    "List-Unsubscribe", "List-Unsubscribe-Post", "Auto-Submitted", "X-Noroshi-Delivery",
}  # fmt: skip
# A Slack link, mention or command: <https://…|label>, <!channel>, <@U123>, <#C123>.
SLACK_ANGLE = re.compile(r"<([^<>]*)>")
# A CR LF in the name, where an e-mail's Subject and a calendar's SUMMARY take it.
NAME = f"{PAYLOADS['crlf']} {joined(120)}"


@pytest.fixture
def announced(settings, smtp, twilio, webhook_receiver, texter):
    """Every channel subscribed in both languages; an incident with hostile names announced."""
    settings.NOROSHI_STORM_MAX_MESSAGES = 100
    hostile_settings()
    now = timezone.now()
    for language in ("en", "ja"):
        Subscriber.objects.create(
            channel="email", address=f"{language}@example.com", language=language, confirmed_at=now
        )
        hook = Subscriber.objects.create(
            channel="webhook",
            address=webhook_receiver.url(f"/hook-{language}"),
            language=language,
            confirmed_at=now,
        )
        webhook_receiver.secrets[f"/hook-{language}"] = hook.secret
        Subscriber.objects.create(
            channel="slack",
            address=webhook_receiver.url(f"{SLACK_PATH}{language}"),
            language=language,
            confirmed_at=now,
        )
        texter("+8190123456" + ("78" if language == "en" else "79"), language=language)
    targets = {
        services.create_component(name=single_line(p)[:100], name_ja=single_line(p)[:100]): (
            "major_outage"
        )
        for p in PAYLOADS.values()
    }
    incident = services.declare_incident(
        name=NAME,
        name_ja=NAME,
        body=every_payload(),
        body_ja=every_payload(),
        component_statuses=targets,
    )
    notification = Notification.objects.get(incident=incident)  # SMS too: it was declared
    fan_out(notification.pk)
    ids = list(notification.deliveries.values_list("id", flat=True))
    assert delivery.deliver_batch(ids) == {"sent": 8}
    return incident


def test_an_e_mail_has_only_our_headers_and_inert_html(announced, smtp):
    assert sorted(address for _, _, to in smtp.sink.envelopes for address in to) == [
        "en@example.com",
        "ja@example.com",
    ]
    for message in smtp.messages:
        assert set(message.keys()) == EMAIL_HEADERS
        assert "\n" not in str(message["Subject"]) and "\r" not in str(message["Subject"])
        assert "injected" in str(message["Subject"])  # the CRLF payload, on the subject's line
        html = message.get_body(("html",)).get_content()
        assert html_findings(html) == []
        text = message.get_body(("plain",)).get_content()
        assert "BEGIN:VEVENT" in text  # the body keeps the text; it is no header


def slack_texts(block) -> list[str]:
    """Every mrkdwn text of a Slack message (plain_text is never parsed by Slack)."""
    if isinstance(block, dict):
        found = [block["text"]] if block.get("type") == "mrkdwn" else []
        return found + [t for value in block.values() for t in slack_texts(value)]
    if isinstance(block, list):
        return [t for value in block for t in slack_texts(value)]
    return []


def test_slack_mrkdwn_has_no_mention_and_no_link_we_did_not_write(announced, webhook_receiver):
    received = [r for r in webhook_receiver.received() if r.path.startswith(SLACK_PATH)]
    assert len(received) == 2
    for request in received:
        message = request.json()
        texts = [message["text"], *slack_texts(message["blocks"])]
        assert texts and all(texts)
        angles = [a for text in texts for a in SLACK_ANGLE.findall(text)]
        assert [a for a in angles if not a.startswith(f"{settings.SITE_URL}/")] == []
        assert not [t for t in texts if re.search(r"<[!@#]", t)]


def test_a_webhook_body_is_json_holding_the_text_as_typed(announced, webhook_receiver):
    received = [r for r in webhook_receiver.received() if r.path.startswith("/hook-")]
    assert len(received) == 2 and all(r.signature_ok for r in received)
    names = {r.json()["incident"]["name"] for r in received}
    assert names == {one_line(NAME)}  # as typed, on one line (incidents.one_line)


def test_an_sms_is_plain_text(announced, twilio):
    bodies = twilio.bodies()
    assert len(bodies) == 2
    assert PAYLOADS["script"] in bodies[0] + bodies[1]  # as typed: a phone shows text
    for body in bodies:
        assert not re.search(r"<(a|p|strong|em|br)\b|&lt;|&amp;", body)
