"""With Redis refused or hung (a TCP proxy between a real gunicorn and Redis, cut or
black-holed), every public path keeps answering 200 with the page's content; an update posted
meanwhile, by a process that cannot reach Redis either, shows within seconds; and once Redis
is back the page is current, not the one cached before the outage."""

import time

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings

from incidents import services
from incidents.changes import page_changed_at
from tests.e2e.conftest import database_url
from tests.e2e.gunicorn import Gunicorn, fetch
from tests.e2e.redis_proxy import RedisProxy
from tests.statuspage.public_stage import public_stage

pytestmark = pytest.mark.e2e

WAIT = 30
NEWS = b"Redis outage"
QUIET = {"deliver_notifications": False}


@pytest.fixture
def redis_proxy():
    proxy = RedisProxy()
    try:
        yield proxy
    finally:
        proxy.shutdown()


def answers(port: int, stage: dict[str, bytes]) -> dict[str, tuple[int, bool]]:
    """Each public path's status, and whether it shows what it must."""
    found = {}
    for path, shown in stage.items():
        status, _, body = fetch(port, path)
        found[path] = (status, shown in body)
    return found


def shows_the_news(port: int) -> bool:
    return all(
        (status, NEWS in body) == (200, True)
        for status, _, body in (fetch(port, "/"), fetch(port, "/api/v2/summary.json"))
    )


def wait_until(condition, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"waited {WAIT} s for {what}")


@pytest.mark.parametrize("fault", ["cut", "blackhole"])
def test_public_page_answers_while_redis_is_down(fault, redis_proxy, transactional_db, tmp_path):
    stage = public_stage()
    everything_shown = dict.fromkeys(stage, (200, True))
    server = Gunicorn(
        tmp_path,
        database_url(connection.settings_dict),
        # Only the cache goes through the proxy: the broker is another fault's test.
        env={"REDIS_URL": redis_proxy.url, "CELERY_BROKER_URL": settings.CELERY_BROKER_URL},
    )
    server_cache = redis_proxy.caches(server.cache_prefix)
    try:
        assert answers(server.port, stage) == everything_shown
        getattr(redis_proxy.proxy, fault)()
        assert answers(server.port, stage) == everything_shown

        posted_at = time.time()
        with override_settings(CACHES=server_cache):  # its mark of the change is lost
            services.declare_incident(name="Redis outage", body="Looking.", **QUIET)
        wait_until(lambda: shows_the_news(server.port), "the update, with Redis down")
        assert answers(server.port, stage) == everything_shown

        redis_proxy.proxy.restore()
        real = {"default": {**server_cache["default"], "LOCATION": settings.REDIS_URL}}
        with override_settings(CACHES=real):
            wait_until(
                lambda: shows_the_news(server.port) and page_changed_at() > posted_at,
                "the server to move the page stamp past the update, with Redis back",
            )
        assert shows_the_news(server.port)
        assert answers(server.port, stage) == everything_shown
    finally:
        server.stop()
