"""API keys on the management API (/api/v1/sending-switch stands for all of it): accepted as
`OAuth <key>` and `Bearer <key>`; refused with 401 and the reason when unknown, revoked,
expired or of a deactivated user; throttled per key and, for refused keys, per address, with
429 and Retry-After; both throttles let everything through while the cache is down."""

import logging
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from incidents import services
from incidents.models import ApiKey, AuditEntry
from tests.api_keys import api_key_for, key_client
from tests.statuspage.test_cache_down import FolderOutage, RedisOutage

pytestmark = pytest.mark.django_db

URL = "/api/v1/sending-switch"
CHALLENGE = 'Bearer realm="api"'
T0 = timezone.now().replace(microsecond=0) + timedelta(days=1)


def refused_with(response, detail: str) -> None:
    assert response.status_code == 401
    assert response.json() == {"error": detail}
    assert response["WWW-Authenticate"] == CHALLENGE


@pytest.mark.parametrize("scheme", ["OAuth", "Bearer", "bearer"])
def test_a_key_is_accepted_as_oauth_or_bearer_and_its_use_noted(client, oncall, scheme):
    api = key_client(client, oncall, scheme)

    with time_machine.travel(T0, tick=False):
        answer = api.get(URL)

    assert answer.status_code == 200
    assert answer.json()["paused"] is False
    used = ApiKey.objects.get()
    assert (used.last_used_at, used.last_used_from) == (T0, "127.0.0.1")
    thrown = api.post(URL, {"paused": True, "reason": "bad template"}, "application/json")
    assert thrown.json()["changed_by"] == "oncall"  # the key acts as its user


def test_a_key_acts_with_its_users_permissions_only(client, viewer):
    api = key_client(client, viewer)

    assert api.get(URL).status_code == 200
    assert api.post(URL, {"paused": True, "reason": "x"}, "application/json").status_code == 403


def refuse_by_state(user, state: str) -> str:
    """A key of `user` made unusable at T0 as `state` says; its secret."""
    expiry = T0 - timedelta(hours=1) if state == "expired" else None
    secret = api_key_for(user, expires_at=expiry)
    api_key = ApiKey.objects.get()
    if state == "revoked":
        services.revoke_api_key(api_key=api_key, actor=None)
    elif state == "user deactivated":
        user.is_active = False
        user.save(update_fields=["is_active"])
    return secret


@pytest.mark.parametrize(
    ("state", "detail"),
    [
        ("revoked", "This API key was revoked."),
        ("expired", f"This API key expired at {T0 - timedelta(hours=1):%Y-%m-%d %H:%M:%S} UTC."),
        ("user deactivated", "This API key's user is deactivated."),
    ],
    # Not named after the expiry's time, which moves: xdist's workers, collecting a second
    # apart, would name the test differently and refuse to run.
    ids=["revoked", "expired", "user deactivated"],
)
def test_an_unusable_key_is_refused_with_the_reason(client, oncall, caplog, state, detail):
    secret = refuse_by_state(oncall, state)

    with time_machine.travel(T0, tick=False), caplog.at_level(logging.WARNING):
        refused = client.get(URL, HTTP_AUTHORIZATION=f"OAuth {secret}")

    refused_with(refused, detail)
    assert ApiKey.objects.get().last_used_at is None
    assert not AuditEntry.objects.filter(action="use_api_key").exists()
    assert [r.getMessage() for r in caplog.records if r.name.startswith("statuspage")] == [
        f"API key {secret[:8]}… from 127.0.0.1 refused: {detail}"
    ]


@pytest.mark.parametrize(
    ("header", "detail"),
    [
        ("OAuth not-a-key-of-ours", "This API key is not known."),
        ("Bearer ", "The Authorization header has no key."),
        (
            "Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b",
            "DRF tokens were replaced by API keys: send one as `Authorization: OAuth <key>` or "
            "`Authorization: Bearer <key>`.",
        ),
    ],
    ids=["unknown", "empty", "retired token"],
)
def test_a_key_that_is_no_key_is_refused_with_the_reason(client, oncall, header, detail):
    api_key_for(oncall)

    refused_with(client.get(URL, HTTP_AUTHORIZATION=header), detail)
    refused_with(
        client.post(URL, {"paused": True, "reason": "x"}, HTTP_AUTHORIZATION=header), detail
    )
    assert ApiKey.objects.get().last_used_at is None


def test_without_credentials_the_answer_is_401_with_a_challenge(client):
    refused_with(client.get(URL), "Authentication credentials were not provided.")


def test_a_key_is_not_held_back_by_a_session_without_its_second_factor(oncall):
    """A browser signed in with its password only gets 403 from the API; a script on the same
    machine sending a key is not that session, and a bad key never falls back to it."""
    browser = Client()
    signed_in = browser.post(
        "/admin/login/", {"username": "oncall", "password": "correct horse battery staple"}
    )
    assert signed_in.status_code == 302

    assert browser.get(URL).status_code == 403
    assert browser.get(URL, HTTP_AUTHORIZATION=f"OAuth {api_key_for(oncall)}").status_code == 200
    refused_with(browser.get(URL, HTTP_AUTHORIZATION="OAuth wrong"), "This API key is not known.")


# --- Throttles ---------------------------------------------------------------------------


def test_each_key_is_throttled_with_retry_after(client, oncall, settings):
    settings.NOROSHI_API_RATE = "3/min"
    api = key_client(client, oncall)
    other = f"Bearer {api_key_for(oncall)}"

    with time_machine.travel(T0, tick=False):
        assert [api.get(URL).status_code for _ in range(3)] == [200, 200, 200]
    with time_machine.travel(T0 + timedelta(seconds=20), tick=False):
        throttled = api.get(URL)
        assert client.get(URL, HTTP_AUTHORIZATION=other).status_code == 200  # its own count
    with time_machine.travel(T0 + timedelta(seconds=60), tick=False):
        assert api.get(URL).status_code == 200

    assert throttled.status_code == 429
    assert throttled["Retry-After"] == "40"
    assert throttled.json() == {"error": "Request was throttled. Expected available in 40 seconds."}


def test_a_console_session_is_not_counted_against_a_key_rate(admin_client, settings):
    settings.NOROSHI_API_RATE = "2/min"

    assert [admin_client.get(URL).status_code for _ in range(4)] == [200] * 4


def test_refused_keys_from_one_address_are_throttled_with_retry_after(
    client, oncall, settings, caplog
):
    settings.NOROSHI_API_AUTH_FAILURE_RATE = "3/min"
    good = f"OAuth {api_key_for(oncall)}"

    with time_machine.travel(T0, tick=False), caplog.at_level(logging.WARNING):
        refusals = [client.get(URL, HTTP_AUTHORIZATION=f"OAuth guess{n}") for n in range(3)]
        blocked = client.get(URL, HTTP_AUTHORIZATION=good)  # even a right key, from there
        elsewhere = client.get(URL, HTTP_AUTHORIZATION=good, REMOTE_ADDR="192.0.2.80")
        without_key = client.get(URL)
    with time_machine.travel(T0 + timedelta(seconds=60), tick=False):
        later = client.get(URL, HTTP_AUTHORIZATION=good)

    assert [r.status_code for r in refusals] == [401, 401, 401]
    assert blocked.status_code == 429
    assert blocked["Retry-After"] == "60"
    assert blocked.json() == {
        "error": "Too many refused API keys from this address. Expected available in 60 seconds."
    }
    assert (elsewhere.status_code, without_key.status_code, later.status_code) == (200, 401, 200)
    assert [r.getMessage() for r in caplog.records if r.name.startswith("statuspage")] == [
        "API key guess0… from 127.0.0.1 refused: This API key is not known.",
        "API key guess1… from 127.0.0.1 refused: This API key is not known.",
        "API key guess2… from 127.0.0.1 refused: This API key is not known.",
        "API keys from 127.0.0.1 are refused for up to 60 s: 3 refused keys",
    ]


@pytest.fixture(params=["redis-cut", "redis-blackhole", "cache-folder-broken"])
def cache_outage(request, settings, tmp_path):
    """The cache taken away: Redis behind a proxy that refuses or hangs (skipped without
    Redis), or the file cache's folder broken. A process skips a failed cache for an hour, so
    that nothing depends on how fast the test runs."""
    settings.NOROSHI_CACHE_RETRY_SECONDS = 3600
    kind = request.param
    outage = RedisOutage(kind.removeprefix("redis-")) if kind.startswith("redis") else None
    outage = outage or FolderOutage(tmp_path)
    settings.CACHES = outage.caches()
    outage.down()
    try:
        yield outage
    finally:
        outage.restore()
        outage.close()


def test_both_throttles_let_requests_through_while_the_cache_is_down(
    client, oncall, settings, caplog, cache_outage
):
    settings.NOROSHI_API_RATE = "2/min"
    settings.NOROSHI_API_AUTH_FAILURE_RATE = "2/min"
    api = key_client(client, oncall)

    with caplog.at_level(logging.WARNING):
        answers = [api.get(URL).status_code for _ in range(4)]
        refusals = [client.get(URL, HTTP_AUTHORIZATION="OAuth guess").status_code for _ in range(4)]

    assert answers == [200] * 4
    assert refusals == [401] * 4
    warnings = [r.getMessage() for r in caplog.records if r.name == "statuspage.api_v1.throttling"]
    assert warnings == ["the cache is unreachable: API rate limits are not applied meanwhile"]
