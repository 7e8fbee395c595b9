"""/healthz (can this process serve the page?) and /readyz (is each dependency up?).

/readyz probes in threads of their own, with connections of their own: the tests commit their
rows (transactional_db). Heartbeat rows are written here the way the worker and beat write
them (notify.models.ProcessHeartbeat): test data, not a stand-in for our code. Faults are a
real proxy cut or black-holed between Noroshi and Redis.
"""

import copy
import json
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.utils import timezone

from notify.models import ProcessHeartbeat
from tests.e2e.tcp_proxy import TcpProxy

pytestmark = pytest.mark.django_db(transaction=True)

needs_redis = pytest.mark.skipif(
    not settings.REDIS_URL, reason="REDIS_URL is not set (CI sets it, and then this runs)"
)


def beat(role: str, ago: float, *, stopped: bool = False, name: str = "") -> ProcessHeartbeat:
    at = timezone.now() - timedelta(seconds=ago)
    return ProcessHeartbeat.objects.create(
        role=role,
        name=name or f"{role}:host:{ProcessHeartbeat.objects.count() + 100}:1",
        hostname="host",
        pid=100 + ProcessHeartbeat.objects.count(),
        started_at=at - timedelta(minutes=5),
        beat_at=at,
        stopped_at=at if stopped else None,
    )


def broker_ok() -> dict:
    filesystem = settings.CELERY_BROKER_URL.startswith("filesystem://")
    return {"status": "ok", "detail": "folders writable" if filesystem else "answering"}


def readyz(client) -> tuple[int, dict]:
    response = client.get("/readyz")
    assert response["Cache-Control"] == "no-store"
    return response.status_code, json.loads(response.content)


@pytest.fixture
def running():
    """A worker and beat both beating now."""
    return beat("worker", 1), beat("beat", 1)


def test_healthz_answers_when_the_page_can_be_served(client):
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"ok": True, "page": "current"})
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("host", ["10.0.3.7", "10.0.3.7:8000", "[fd00::7]"])
def test_the_probes_answer_a_load_balancer_asking_by_address(client, running, settings, host):
    """A load balancer (or Kubernetes) checks each host by its address, with that address as
    Host: the probes answer it, the page's own host name serving as the one asked for `/`."""
    settings.ALLOWED_HOSTS = ["status.example.com"]
    settings.SITE_URL = "https://status.example.com"

    health = client.get("/healthz", headers={"Host": host})
    ready = client.get("/readyz", headers={"Host": host})

    assert (health.status_code, health.json()) == (200, {"ok": True, "page": "current"})
    assert (ready.status_code, ready.json()["ready"]) == (200, True)
    assert health["Cache-Control"] == ready["Cache-Control"] == "no-store"


def test_any_other_address_by_an_unserved_host_is_still_refused(client, running, settings):
    settings.ALLOWED_HOSTS = ["status.example.com"]

    for path in ("/", "/healthz/", "/api/v2/status.json", "/subscribe"):
        assert client.get(path, headers={"Host": "10.0.3.7"}).status_code == 400, path
    assert client.post("/healthz", headers={"Host": "10.0.3.7"}).status_code == 400
    assert client.get("/readyz?verbose=1", headers={"Host": "10.0.3.7"}).status_code == 200


def test_readyz_is_ready_when_every_dependency_is_up(client, running):
    worker, beat_row = running
    assert readyz(client) == (
        200,
        {
            "ready": True,
            "checks": {
                "database": {"status": "ok", "detail": "answering"},
                "worker": {
                    "status": "ok",
                    "detail": "1 running",
                    "last_beat": worker.beat_at.isoformat(),
                },
                "beat": {
                    "status": "ok",
                    "detail": "1 running",
                    "last_beat": beat_row.beat_at.isoformat(),
                },
                "cache": {"status": "ok", "detail": "answering"},
                "broker": broker_ok(),
            },
        },
    )


def test_a_worker_that_stopped_beating_is_down(client):
    beat("beat", 1)
    stale = beat("worker", settings.NOROSHI_WORKER_STALE_SECONDS + 1)
    beat("worker", 2, stopped=True)  # stopped cleanly: not running, whatever its last beat
    status, body = readyz(client)
    assert (status, body["ready"], body["checks"]["worker"]) == (
        503,
        False,
        {"status": "down", "detail": "no beat within 15 s", "last_beat": stale.beat_at.isoformat()},
    )
    assert body["checks"]["beat"]["status"] == "ok"


def test_two_workers_one_of_them_stale_is_ready(client):
    beat("beat", 1)
    beat("worker", 60)
    beat("worker", 2)
    status, body = readyz(client)
    assert (status, body["checks"]["worker"]["detail"]) == (200, "1 running")


def test_beat_is_down_within_a_minute_of_stopping(client):
    beat("worker", 1)
    beat("beat", 31)  # killed half a minute ago: its row still says running
    status, body = readyz(client)
    assert (status, body["checks"]["beat"]["status"], body["checks"]["beat"]["detail"]) == (
        503,
        "down",
        "no beat within 30 s",
    )


def test_nothing_running_is_reported_by_name(client):
    beat("beat", 1, stopped=True)
    status, body = readyz(client)
    assert status == 503
    assert body["checks"]["worker"] == {"status": "down", "detail": "none running"}
    assert body["checks"]["beat"]["status"] == "down"
    assert body["checks"]["beat"]["detail"] == "none running"


def test_an_unwritable_filesystem_broker_is_down(client, running, settings, tmp_path):
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(tmp_path / "gone" / "queue"),
        "data_folder_out": str(tmp_path / "gone" / "queue"),
        "processed_folder": str(tmp_path / "gone" / "processed"),
        "control_folder": str(tmp_path / "gone" / "control"),
    }
    status, body = readyz(client)
    assert (status, body["checks"]["broker"]) == (
        503,
        {"status": "down", "detail": "folder not writable: queue, processed, control"},
    )


def through(proxy: TcpProxy, url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"127.0.0.1:{proxy.port}"))


@pytest.fixture
def redis_proxy():
    target = urlsplit(settings.REDIS_URL)
    proxy = TcpProxy(target.hostname or "127.0.0.1", target.port or 6379).start()
    try:
        yield proxy
    finally:
        proxy.shutdown()


@needs_redis
@pytest.mark.parametrize(("fault", "detail"), [("cut", "ConnectionError"), ("blackhole", "")])
def test_a_redis_broker_cut_or_hung_is_down(client, running, settings, redis_proxy, fault, detail):
    settings.CELERY_BROKER_URL = through(redis_proxy, settings.REDIS_URL)
    assert readyz(client)[1]["checks"]["broker"] == {"status": "ok", "detail": "answering"}
    getattr(redis_proxy, fault)()
    status, body = readyz(client)
    # A hung broker: PING gives up after its 1 s socket timeout, inside /readyz's 1.5 s.
    assert (status, body["checks"]["broker"]) == (
        503,
        {"status": "down", "detail": f"error: {detail or 'TimeoutError'}"},
    )
    redis_proxy.restore()
    assert readyz(client)[0] == 200


@needs_redis
@pytest.mark.parametrize("fault", ["cut", "blackhole"])
def test_a_cache_cut_or_hung_is_down(client, running, settings, redis_proxy, fault):
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["LOCATION"] = through(redis_proxy, settings.REDIS_URL)
    settings.CACHES = caches
    getattr(redis_proxy, fault)()
    status, body = readyz(client)
    # Hung: the cache client's own timeout, when it has one shorter than /readyz's, or /readyz's.
    expected = (
        {"error: ConnectionError"}
        if fault == "cut"
        else {"error: TimeoutError", "no answer within 1.5 s"}
    )
    assert (status, body["checks"]["cache"]["status"]) == (503, "down")
    assert body["checks"]["cache"]["detail"] in expected
    assert body["checks"]["database"]["status"] == "ok"
    redis_proxy.restore()
    assert readyz(client)[0] == 200
