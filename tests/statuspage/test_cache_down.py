"""The public page never depends on the shared cache: with Redis refused or hung (a TCP proxy
cut or black-holed), or the file cache's folder broken, every public path answers 200 from
memory or a fresh rendering, an update posted meanwhile shows, and once the cache is back the
page never falls back to what it cached before the outage."""

import copy
import uuid
from pathlib import Path

import pytest
from django.db import connection
from prometheus_client import REGISTRY

from incidents import services, tasks
from incidents.changes import forget_recent_stamp, page_changed_at
from statuspage.public_cache import CACHE_CONTROL
from tests.cache_keys import derived_prefix
from tests.e2e.redis_proxy import RedisProxy
from tests.statuspage.public_stage import public_stage

pytestmark = pytest.mark.django_db(transaction=True)


class RedisOutage:
    """Redis reached through a proxy that is cut (refused) or black-holed (hung)."""

    def __init__(self, mode: str):
        self.mode = mode
        self.redis = RedisProxy()

    def caches(self) -> dict:
        return self.redis.caches(derived_prefix(f"proxy-{uuid.uuid4().hex[:8]}"))

    def down(self) -> None:
        getattr(self.redis.proxy, self.mode)()

    def restore(self) -> None:
        self.redis.proxy.restore()

    def close(self) -> None:
        self.redis.shutdown()


class FolderOutage:
    """The embedded file cache, its folder replaced by a file (a broken disk) and put back."""

    def __init__(self, tmp_path: Path):
        self.folder = tmp_path / "cache"
        self.saved = tmp_path / "cache-saved"

    def caches(self) -> dict:
        backend = "django.core.cache.backends.filebased.FileBasedCache"
        return {"default": {"BACKEND": backend, "LOCATION": str(self.folder)}}

    def down(self) -> None:
        self.folder.mkdir(exist_ok=True)
        self.folder.rename(self.saved)
        self.folder.write_bytes(b"")

    def restore(self) -> None:
        self.folder.unlink()
        self.saved.rename(self.folder)

    def close(self) -> None:
        pass


@pytest.fixture(params=["redis-cut", "redis-blackhole", "cache-folder-broken"])
def outage(request, settings, tmp_path):
    """A cache the test can take away (down()) and give back (restore()). Until the test says
    otherwise, a process skips a failed cache and keeps its own pages for an hour, so that
    nothing depends on how fast the test runs."""
    settings.VAR_DIR = tmp_path
    settings.NOROSHI_CACHE_RETRY_SECONDS = 3600
    settings.NOROSHI_LOCAL_PAGE_SECONDS = 3600
    kind = request.param
    taken = RedisOutage(kind.removeprefix("redis-")) if kind.startswith("redis") else None
    taken = taken or FolderOutage(tmp_path)
    settings.CACHES = taken.caches()
    try:
        yield taken
    finally:
        taken.close()


def take_down(outage) -> None:
    outage.down()
    forget_recent_stamp()  # as the process does STAMP_MAX_AGE after its last read


def counted() -> dict[str, float]:
    def value(name: str, labels: dict) -> float:
        return REGISTRY.get_sample_value(name, labels) or 0.0

    sources = ("memory", "cache", "render", "snapshot")
    return {
        "cache errors": value("noroshi_dependency_errors_total", {"dependency": "cache"}),
        **{s: value("noroshi_public_cache_requests_total", {"source": s}) for s in sources},
    }


def added(before: dict[str, float]) -> dict[str, float]:
    return {name: count - before[name] for name, count in counted().items()}


def test_every_public_path_answers_while_the_cache_is_down(client, outage):
    stage = public_stage()
    for path in stage:
        assert client.get(path).status_code == 200
    take_down(outage)
    answers = {}
    for path, shown in stage.items():
        response = client.get(path)
        answers[path] = (response.status_code, shown in response.content)
        assert response["Cache-Control"] == CACHE_CONTROL
    assert answers == dict.fromkeys(stage, (200, True))


def test_an_outage_costs_one_cache_error_then_pages_come_from_memory(
    client, components, outage, django_assert_num_queries
):
    client.get("/")
    take_down(outage)
    before = counted()
    first = client.get("/")  # the stamp cannot be read: rendered, and the cache skipped
    with django_assert_num_queries(0):
        second = client.get("/")
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.content == first.content
    assert added(before) == {"cache errors": 1, "memory": 1, "cache": 0, "render": 1, "snapshot": 0}


def test_an_update_posted_while_the_cache_is_down_shows_at_once(client, components, outage):
    client.get("/")
    take_down(outage)
    services.declare_incident(name="Cache outage", body="Looking.", deliver_notifications=False)
    assert b"Cache outage" in client.get("/").content
    assert b'"Cache outage"' in client.get("/api/v2/summary.json").content


def test_when_the_cache_returns_the_page_shows_what_was_posted_meanwhile(
    client, components, outage, settings
):
    before = client.get("/")
    stamp = page_changed_at()
    take_down(outage)
    services.declare_incident(name="Cache outage", body="Looking.", deliver_notifications=False)
    outage.restore()
    settings.NOROSHI_CACHE_RETRY_SECONDS = 0  # the next call may try the cache again
    forget_recent_stamp()
    after = client.get("/")
    assert b"Cache outage" not in before.content
    assert b"Cache outage" in after.content
    assert page_changed_at() > stamp  # the other processes' pages move on too


def test_beat_moves_the_stamp_past_a_change_whose_mark_was_lost(
    client, components, outage, settings
):
    client.get("/")
    take_down(outage)
    services.declare_incident(name="Cache outage", body="Looking.", deliver_notifications=False)
    outage.restore()
    # Another process, which never saw the outage: its stamp is the one from before.
    settings.CACHES = copy.deepcopy(settings.CACHES)
    stale = client.get("/")
    assert tasks.reconcile_page_stamp() is True
    current = client.get("/")
    assert tasks.reconcile_page_stamp() is False
    assert b"Cache outage" not in stale.content  # the hazard beat closes
    assert b"Cache outage" in current.content


def test_a_failed_cache_is_tried_again_after_the_retry_interval(
    client, components, outage, settings
):
    client.get("/")
    take_down(outage)
    before = counted()
    client.get("/")
    client.get("/api/v2/status.json")
    skipped = added(before)["cache errors"]
    settings.NOROSHI_CACHE_RETRY_SECONDS = 0  # the interval has passed
    forget_recent_stamp()
    client.get("/api/v2/status.json")  # rendered again: the settings changed under it
    tried_again = added(before)["cache errors"]
    outage.restore()
    forget_recent_stamp()
    assert client.get("/api/v2/status.json").status_code == 200
    assert (skipped, tried_again, added(before)["cache errors"]) == (1, 2, 2)


def test_beat_leaves_the_stamp_alone_while_the_cache_is_down(client, components, outage):
    take_down(outage)
    services.declare_incident(name="Cache outage", body="Looking.", deliver_notifications=False)
    assert tasks.reconcile_page_stamp() is False


def test_with_the_database_down_too_the_snapshot_answers(client, components, outage):
    good = client.get("/")  # rendered, and written as the snapshot
    take_down(outage)
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent/directory/noroshi.sqlite3"
    else:
        connection.settings_dict["PORT"] = 1
    before = counted()
    try:
        first = client.get("/")
        second = client.get("/")
    finally:
        connection.close()
        connection.settings_dict.update(saved)
    assert (first.status_code, first["X-Noroshi-Snapshot"], first.content) == (
        200,
        "stale",
        good.content,
    )
    assert second.content == good.content
    assert added(before) == {"cache errors": 1, "memory": 1, "cache": 0, "render": 0, "snapshot": 1}
