"""Revoked, expired and orphaned credentials on every API. tests/statuspage/test_api_key_auth.py
proves each refusal and its reason on one address; here an Owner's key, revoked, expired or of
a deactivated user, is refused (401) on every operation of the management API as its OpenAPI
document lists them — reads too — and changes nothing; an alert integration's replaced token
opens nothing (tests/statuspage/api_v1/test_alerts_in.py covers unknown and disabled ones)."""

import re
from datetime import timedelta

import pytest
import time_machine
import yaml
from django.test import Client
from django.utils import timezone

from incidents import services
from incidents.models import ApiKey, Incident
from tests.alert_data import alertmanager_body, am_alert, make_integration, post_alerts
from tests.api_keys import api_key_for
from tests.incidents.test_console_roles import fingerprint

pytestmark = pytest.mark.django_db

METHODS = ("get", "post", "patch", "put", "delete")
LATER = timezone.now() + timedelta(days=1)


def every_operation(client: Client) -> list[tuple[str, str]]:
    """(method, path) of every operation of the management API but the alert integrations'."""
    schema = yaml.safe_load(client.get("/api/v1/schema/").content)
    found = []
    for path, item in schema["paths"].items():
        if not path.startswith("/api/v1/") or path.startswith("/api/v1/integrations/"):
            continue
        concrete = re.sub(r"\{(\w+)\}", lambda m: "1" if "notification" in m[1] else "abc123", path)
        found += [(method, concrete) for method in item if method in METHODS]
    return found


def unusable_key(owner, state: str) -> str:
    """An Owner's key that, at LATER, is `state`."""
    expiry = LATER - timedelta(hours=1) if state == "expired" else None
    secret = api_key_for(owner, expires_at=expiry)
    if state == "revoked":
        services.revoke_api_key(api_key=ApiKey.objects.get(), actor=None)
    elif state == "of a deactivated user":
        services.deactivate_member(member=owner)
    return secret


@pytest.mark.parametrize("state", ["revoked", "expired", "of a deactivated user"])
def test_an_unusable_key_is_refused_on_every_operation(client, owner, state, settings):
    settings.NOROSHI_API_AUTH_FAILURE_RATE = "100000/min"
    operations = every_operation(client)
    assert len(operations) >= 70
    secret = unusable_key(owner, state)
    before = fingerprint()
    api = Client(HTTP_AUTHORIZATION=f"OAuth {secret}")
    with time_machine.travel(LATER):
        answers = {
            (method, path): getattr(api, method)(path, {}, "application/json").status_code
            for method, path in operations
        }
    assert {key: code for key, code in answers.items() if code != 401} == {}
    assert fingerprint() == before
    assert ApiKey.objects.get().last_used_at is None


def test_a_replaced_alert_token_opens_nothing(client, components):
    integration, old = make_integration()
    services.replace_alert_token(integration=integration, actor=None)
    body = alertmanager_body(am_alert(service="api"))
    before = fingerprint()

    answer = post_alerts(client, old, body)

    assert answer.status_code == 404
    assert fingerprint() == before
    assert not Incident.objects.exists()
