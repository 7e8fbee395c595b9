"""Only valid values of the declared parameters enter a cache key or a snapshot, and the
snapshots on disk stay bounded in count and age."""

import os
import time

import pytest
import redis
from django.test import RequestFactory

from incidents import services
from statuspage import snapshots
from statuspage.public_cache import cache_key

pytestmark = pytest.mark.django_db

# Three of each: made-up values of every parameter a public view reads.
JUNK = [
    *(f"/?page=junk{n}&lang=zz{n}" for n in range(3)),
    *(f"/?page={n}" for n in range(3)),
    *(f"/history?page=junk{n}" for n in range(3)),
    *(f"/history?page=0{n + 1}" for n in range(3)),
    *(f"/history?page={n + 2}" for n in range(3)),
    *(f"/api/v2/summary.json?lang=zz{n}" for n in range(3)),
    *(f"/history.atom?lang=zz{n}&page={n}" for n in range(3)),
    *(f"/badge.svg?label=junk{n}" for n in range(3)),
    *(f"/incidents/nope{n}" for n in range(3)),
    *(f"/uptime/nope{n}" for n in range(3)),
]
VALID = ("/", "/history", "/api/v2/summary.json", "/history.atom", "/badge.svg", "/uptime")


@pytest.fixture
def entries(settings, tmp_path):
    """Counts the cache's entries and the snapshot files of this test."""
    settings.VAR_DIR = tmp_path
    default = settings.CACHES["default"]
    if "redis" in default["BACKEND"]:
        client = redis.Redis.from_url(default["LOCATION"])

        def cached() -> int:
            return sum(1 for _ in client.scan_iter(f"{default['KEY_PREFIX']}:*"))
    else:
        settings.CACHES = {"default": {**default, "LOCATION": str(tmp_path / "cache")}}

        def cached() -> int:
            return len(list((tmp_path / "cache").glob("*.djcache")))

    def count() -> tuple[int, int]:
        return cached(), len(list((tmp_path / "snapshots").glob("*.snap")))

    return count


def test_junk_query_values_add_no_cache_entry_and_no_snapshot(client, components, entries):
    for path in VALID:
        assert client.get(path).status_code == 200
    before = entries()
    statuses = [client.get(path).status_code for path in JUNK]
    assert entries() == before
    assert statuses == [302] * 3 + [200] * 3 + [404] * 9 + [302] * 6 + [200] * 3 + [404] * 6
    assert before[1] == len(VALID)


def test_a_valid_request_still_writes_its_snapshot(client, components, entries):
    client.get("/")
    before = entries()
    assert client.get("/?lang=ja").status_code == 200
    after = entries()
    assert after[1] == before[1] + 1
    assert after[0] > before[0]


def test_an_unknown_language_is_redirected_to_the_url_without_it(client, components):
    answers = {
        path: (response.status_code, response["Location"])
        for path in ("/?lang=zz&page=2", "/history?page=2&lang=fr", "/api/v2/status.json?lang=")
        for response in [client.get(path)]
    }
    assert answers == {
        "/?lang=zz&page=2": (302, "/"),
        "/history?page=2&lang=fr": (302, "/history?page=2"),
        "/api/v2/status.json?lang=": (302, "/api/v2/status.json"),
    }


@pytest.mark.parametrize("page", ["01", "+1", "1.0", "١", " 1"])
def test_a_history_page_written_another_way_is_404(client, components, page):
    services.declare_incident(name="Outage", body="Down.", deliver_notifications=False)
    assert client.get("/history", {"page": page}).status_code == 404
    assert client.get("/history", {"page": "1"}).status_code == 200


def test_a_badge_label_is_rendered_for_each_request_and_never_kept(client, components, entries):
    client.get("/badge.svg")
    before = entries()
    first = client.get("/badge.svg?label=api")
    second = client.get("/badge.svg?label=api")
    assert b">api<" in first.content
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert entries() == before


def snapshot_name(path: str) -> str:
    return cache_key("snapshot", RequestFactory().get(path), "en", None)


def age(name: str, days: float) -> None:
    moment = time.time() - days * 86400
    os.utime(snapshots.snapshot_path(name), (moment, moment))


def test_pruning_keeps_the_newest_snapshots_within_the_bounds(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.NOROSHI_SNAPSHOT_MAX_FILES = 3
    settings.NOROSHI_SNAPSHOT_MAX_AGE_DAYS = 30
    (tmp_path / "snapshots").mkdir()
    for name, days in {"a": 40, "b": 31, "c": 5, "d": 4, "e": 3, "f": 2}.items():
        snapshots.snapshot_path(name).write_bytes(b"{}\nbody")
        age(name, days)
    left_by_a_killed_writer = tmp_path / "snapshots" / ".tmp-abc"
    left_by_a_killed_writer.write_bytes(b"half")
    os.utime(left_by_a_killed_writer, (time.time() - 7200,) * 2)
    assert snapshots.prune() == 3
    left = sorted(path.name for path in (tmp_path / "snapshots").iterdir())
    assert left == ["d.snap", "e.snap", "f.snap"]


def test_a_new_snapshot_prunes_the_folder_to_the_newest(client, components, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.NOROSHI_SNAPSHOT_MAX_FILES = 2
    for path, days in (("/maintenance", 2), ("/history", 1), ("/", 0)):
        assert client.get(path).status_code == 200
        age(snapshot_name(path), days)
    names = {snapshot_name(path): path for path in ("/", "/history", "/maintenance")}
    kept = {names[name] for name in names if snapshots.read(name) is not None}
    assert kept == {"/", "/history"}
    assert len(list((tmp_path / "snapshots").iterdir())) == 2
