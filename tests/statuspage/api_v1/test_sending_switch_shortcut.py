"""The kill switch at its first address, /api/v1/sending-switch: read it, throw it with a
reason, resume — by API key, with the same permission as in the console; bad requests change
nothing."""

import pytest

from incidents.models import AuditEntry
from notify.models import SendingSwitch
from tests.api_keys import key_client

pytestmark = pytest.mark.django_db

URL = "/api/v1/sending-switch"


def test_oncall_throws_and_releases_the_kill_switch_by_api_key(client, oncall):
    api = key_client(client, oncall)

    assert api.get(URL).json()["paused"] is False
    thrown = api.post(URL, {"paused": True, "reason": "a bad template"}, "application/json")

    assert thrown.status_code == 200
    assert thrown.json()["paused"] is True
    assert thrown.json()["reason"] == "a bad template"
    assert thrown.json()["changed_by"] == "oncall"
    assert SendingSwitch.objects.get().paused is True
    released = api.post(URL, {"paused": False}, "application/json")
    assert released.json()["paused"] is False
    written = AuditEntry.objects.exclude(object_type="user")  # not the member's own rows
    assert list(written.values_list("action", flat=True).order_by("id")) == [
        "create_api_key",
        "use_api_key",
        "pause_sending",
        "resume_sending",
    ]


def test_pausing_without_a_reason_is_refused_and_changes_nothing(client, oncall):
    api = key_client(client, oncall)

    refused = api.post(URL, {"paused": True}, "application/json")

    assert refused.status_code == 400
    assert refused.json() == {
        "error": "reason: Say why sending is paused.",
        "fields": {"reason": "Say why sending is paused."},
    }
    assert not SendingSwitch.objects.filter(paused=True).exists()


def test_a_viewer_reads_but_cannot_throw_it(client, viewer):
    api = key_client(client, viewer)

    assert api.get(URL).status_code == 200
    refused = api.post(URL, {"paused": True, "reason": "x"}, "application/json")

    assert refused.status_code == 403
    assert not SendingSwitch.objects.filter(paused=True).exists()


def test_without_credentials_nothing_is_told(client):
    assert client.get(URL).status_code == 401
    assert client.post(URL, {"paused": True, "reason": "x"}).status_code == 401


def test_the_management_api_has_a_schema(admin_client):
    schema = admin_client.get("/api/v1/schema")

    assert schema.status_code == 200
    assert b"/api/v1/sending-switch" in schema.content
