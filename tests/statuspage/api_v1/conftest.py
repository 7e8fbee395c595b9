"""The management API's clients: one per role, each sending an API key of its user as a
script would (`Authorization: OAuth <key>`)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from incidents import selectors
from notify.models import Subscriber
from tests.api_keys import api_key_for
from tests.statuspage.api_v1.subscriber_data import HOOK, SLACK


def signed_in(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"OAuth {api_key_for(user)}")
    return client


@pytest.fixture
def page_id(db) -> str:
    return selectors.page_settings().public_id


@pytest.fixture
def api(oncall) -> APIClient:
    return signed_in(oncall)


@pytest.fixture
def viewer_api(viewer) -> APIClient:
    return signed_in(viewer)


@pytest.fixture
def base(page_id) -> str:
    return f"/api/v1/pages/{page_id}"


def audited_writes() -> int:
    """Audit rows of writes (a key's use, noted once a minute, is no write of the request's)."""
    from incidents.models import AuditEntry

    return AuditEntry.objects.exclude(action="use_api_key").count()


@pytest.fixture
def sms_on(settings):
    """SMS usable (its numbers are checked; nothing is texted by the tests that use this)."""
    settings.TWILIO_ACCOUNT_SID = "AC" + "0" * 32
    settings.TWILIO_AUTH_TOKEN = "token"
    settings.TWILIO_FROM_NUMBER = "+15005550006"
    settings.NOROSHI_SMS_COUNTRY_CODES = "1,44,81"


@pytest.fixture
def people(components):
    """One subscriber in each state and on each channel, created a minute apart (ann first)."""
    now = timezone.now()

    def make(minutes: int, channel: str, address: str, **fields) -> Subscriber:
        return Subscriber.objects.create(
            channel=channel,
            address=address,
            created_at=now - timedelta(minutes=60 - minutes),
            **fields,
        )

    confirmed = {"confirmed_at": now}
    made = {
        "ann": make(1, "email", "ann@example.com", **confirmed),
        "ben": make(2, "email", "ben@example.com"),
        "cy": make(3, "email", "cy@example.com", suspended_at=now, **confirmed),
        "dee": make(4, "email", "dee@example.com", unsubscribed_at=now, **confirmed),
        "eve": make(5, "sms", "+819012345678", language="ja", **confirmed),
        "hook": make(6, "webhook", HOOK, **confirmed),
        "slack": make(7, "slack", SLACK, **confirmed),
    }
    made["ann"].components.set([components["API"]])
    return made
