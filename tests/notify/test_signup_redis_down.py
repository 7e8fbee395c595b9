"""Redis down (cut) or hung (black-holed) between Django and the sign-up counters: a sign-up is
refused with a clear 503 in the visitor's language, writes nothing and sends nothing — the
limits fail closed — and works again once Redis is back. Nothing on the public page's path
uses these counters.

The fault is a real TCP proxy between Noroshi and the machine's Redis (tests/e2e/tcp_proxy.py).
The sign-up tests take the whole Redis away (the counters and the page cache alike).
Without REDIS_URL there is no Redis to take away: the tests skip, except in CI
(NOROSHI_REQUIRE_SERVICES), where that is a failure."""

import copy
import os
from urllib.parse import urlsplit

import pytest

from incidents import services as incident_services
from incidents.metrics import DEPENDENCY_ERRORS
from notify import signup_counters
from notify.models import Subscriber
from tests.e2e.tcp_proxy import TcpProxy
from tests.notify.subscription_pages import NO_STORE, form_for
from tests.statuspage.page_html import parse

pytestmark = pytest.mark.django_db(transaction=True)

FAULTS = ("cut", "blackhole")
PAUSED = {
    "en": "Sign-ups are paused for a moment. Nothing was saved: try again shortly.",
    "ja": "ただいま購読の受け付けを一時的に停止しています。何も保存されていません。"
    "しばらくしてからもう一度お試しください。",
}


@pytest.fixture
def redis_proxy(settings):
    """The sign-up counters reach Redis through a proxy the test can cut and restore."""
    if not settings.REDIS_URL:
        if os.environ.get("NOROSHI_REQUIRE_SERVICES", "") in {"1", "true", "yes"}:
            pytest.fail("NOROSHI_REQUIRE_SERVICES is set but REDIS_URL is not")
        pytest.skip("the sign-up limits live in Redis only with REDIS_URL set")
    url = urlsplit(settings.REDIS_URL)
    proxy = TcpProxy(url.hostname or "127.0.0.1", url.port or 6379).start()
    settings.REDIS_URL = url._replace(netloc=f"127.0.0.1:{proxy.port}").geturl()
    try:
        yield proxy
    finally:
        # Our side hangs up first, so that the proxy stops with no connection half-open.
        signup_counters.redis_client(settings.REDIS_URL).connection_pool.disconnect()
        proxy.shutdown()


@pytest.fixture
def whole_redis(redis_proxy, settings):
    """The page cache behind the same proxy as the counters: one Redis, and it is gone."""
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["LOCATION"] = settings.REDIS_URL
    settings.CACHES = caches
    return redis_proxy


def cache_errors() -> float:
    return DEPENDENCY_ERRORS.labels(dependency="cache")._value.get()


def refused_signup(client, path: str, form: dict, language: str = "en"):
    """POST a sign-up that must be refused for the counters' sake: its summary's one line."""
    response = client.post(f"{path}?lang={language}", form)

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Cache-Control"] == NO_STORE
    assert response["Content-Language"] == language
    summary = parse(response.content).find("div", cls="error-summary")
    return [li.text() for li in summary.find_all("li")]


@pytest.mark.parametrize("fault", FAULTS)
def test_a_signup_with_redis_gone_is_a_503_that_writes_and_sends_nothing(
    client, components, mailoutbox, whole_redis, fault
):
    errors = cache_errors()
    getattr(whole_redis, fault)()
    assert client.get("/subscribe").status_code == 200  # the form itself needs no Redis

    lines = refused_signup(client, "/subscribe", form_for(address="ann@example.com"))

    assert lines == [PAUSED["en"]]
    assert Subscriber.objects.count() == 0
    assert mailoutbox == []
    assert cache_errors() == errors + 1

    whole_redis.restore()
    response = client.post("/subscribe", form_for(address="ann@example.com"))
    assert response.status_code == 200
    assert list(Subscriber.objects.values_list("address", flat=True)) == ["ann@example.com"]
    assert [m.to for m in mailoutbox] == [["ann@example.com"]]
    assert cache_errors() == errors + 1


@pytest.mark.parametrize("fault", FAULTS)
def test_an_sms_signup_with_redis_gone_texts_nothing(
    client, components, twilio, whole_redis, fault
):
    getattr(whole_redis, fault)()

    lines = refused_signup(
        client, "/subscribe", form_for(channel="sms", address="+819012345678"), "ja"
    )

    assert lines == [PAUSED["ja"]]
    assert Subscriber.objects.count() == 0
    assert twilio.messages == []


def test_a_signup_to_an_incident_with_redis_gone_is_refused_too(
    client, components, mailoutbox, whole_redis
):
    incident = incident_services.declare_incident(
        name="Slow checkout", body="Investigating.", deliver_notifications=False
    )
    whole_redis.cut()

    lines = refused_signup(
        client,
        f"/incidents/{incident.public_id}/subscribe",
        {"channel": "email", "address": "ann@example.com", "language": "en"},
    )

    assert lines == [PAUSED["en"]]
    assert Subscriber.objects.count() == 0
    assert mailoutbox == []


@pytest.mark.parametrize("fault", FAULTS)
def test_the_public_pages_and_the_form_never_use_the_signup_counters(  # the counters alone down
    client, components, redis_proxy, fault
):
    incident = incident_services.declare_incident(
        name="Slow checkout", body="Investigating.", deliver_notifications=False
    )
    errors = cache_errors()
    getattr(redis_proxy, fault)()

    for path in (
        "/",
        "/history",
        f"/incidents/{incident.public_id}",
        "/api/v2/summary.json",
        "/subscribe",
        f"/incidents/{incident.public_id}/subscribe",
    ):
        assert client.get(path).status_code == 200, path
    assert cache_errors() == errors
