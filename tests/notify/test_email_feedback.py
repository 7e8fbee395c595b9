"""Bounces and complaints from an e-mail provider, through django-anymail's real tracking
webhook (Postmark's payloads, posted as Postmark posts them): a complaint unsubscribes, a hard
bounce suspends with the reason, a soft bounce changes nothing, and without the webhook
secret the endpoint is not there at all."""

import base64
import json

import pytest
from django.utils import timezone

from incidents import services as incident_services
from notify.models import Delivery, Subscriber

pytestmark = pytest.mark.django_db

URL = "/anymail/postmark/tracking/"
SECRET = "postmark:s3cret-hook"


@pytest.fixture
def esp(settings):
    """Sending through anymail's test backend (it names each message like a real ESP)."""
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}


def post(client, payload: dict, *, secret: str = SECRET):
    auth = base64.b64encode(secret.encode()).decode()
    return client.post(
        URL,
        json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {auth}",
    )


@pytest.fixture
def sent(esp, outage, subscriber_factory, django_capture_on_commit_callbacks):
    """One announcement sent to two subscribers; returns their deliveries by address."""
    subscriber_factory("ann@example.com")
    subscriber_factory("ben@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        incident_services.post_update(incident=outage, status="identified", body="Found.")
    return {d.subscriber.address: d for d in Delivery.objects.select_related("subscriber")}


def bounce(delivery: Delivery, kind: str, record_type: str = "Bounce") -> dict:
    return {
        "RecordType": record_type,
        "Type": kind,
        "ID": 42,
        "MessageID": delivery.provider_id,
        "Email": delivery.subscriber.address,
        "Description": "The server was unable to deliver your message (ex: unknown user).",
        "BouncedAt": timezone.now().isoformat(),
    }


def test_each_sent_email_carries_the_providers_message_id(sent):
    assert all(d.state == "sent" and d.provider_id for d in sent.values())
    assert len({d.provider_id for d in sent.values()}) == 2


def test_a_hard_bounce_suspends_the_subscriber_with_the_reason(client, sent):
    response = post(client, bounce(sent["ann@example.com"], "HardBounce"))

    assert response.status_code == 200
    ann = Subscriber.objects.get(address="ann@example.com")
    assert ann.suspended_at is not None
    assert ann.suspended_reason.startswith("bounced by the e-mail provider: The server was")
    assert Delivery.objects.get(pk=sent["ann@example.com"].pk).provider_status == "bounced"
    assert Subscriber.objects.get(address="ben@example.com").is_active


def test_a_spam_complaint_unsubscribes_at_once(client, sent):
    payload = bounce(sent["ben@example.com"], "SpamComplaint", record_type="SpamComplaint")

    post(client, payload)

    ben = Subscriber.objects.get(address="ben@example.com")
    assert ben.unsubscribed_at is not None and not ben.is_active


def test_a_soft_bounce_changes_nothing(client, sent):
    post(client, bounce(sent["ann@example.com"], "Transient"))

    assert Subscriber.objects.get(address="ann@example.com").is_active


def test_a_webhook_without_the_secret_is_refused_and_changes_nothing(client, sent):
    response = post(client, bounce(sent["ann@example.com"], "HardBounce"), secret="x:wrong")

    assert response.status_code == 400
    assert Subscriber.objects.get(address="ann@example.com").is_active


def test_without_a_configured_secret_there_is_no_webhook(client, settings):
    settings.ANYMAIL = {}

    assert post(client, {"RecordType": "Bounce"}).status_code == 404
