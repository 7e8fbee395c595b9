"""Noroshi's own var/ full (ENOSPC), made real: var/ is a small tmpfs, filled to the last block
while the processes run. What writes there: page snapshots, the Prometheus multiprocess files
(metrics/), the file cache and the e-mail files of the embedded default (cache/, mail/), and
beat's schedule.

What must hold: a process never dies of it (prometheus_client writes its files through mmap,
and a write to a block the disk cannot supply is a SIGBUS); the public page keeps answering
200, rendering what it has not cached; an update posted meanwhile is kept and shown; e-mail
that cannot be written is retried, and written once, when there is room again.

Mounting needs root (CI and these machines run as root); elsewhere the tests skip, saying so.
"""

import contextlib
import errno
import os
import subprocess
import sys
import textwrap
import time
from email import message_from_bytes
from pathlib import Path

import pytest
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection

from incidents import services
from incidents.models import IncidentUpdate
from notify.channels.mail_files import SEPARATOR, MessageFileBackend
from notify.models import Delivery
from tests.e2e.conftest import database_url, settled, wait_for
from tests.e2e.faults import (
    all_waiting,
    announce,
    email_subscribers,
    errors,
    quiet_incident,
    running_worker,
)
from tests.e2e.test_database_down import Gunicorn, fetch

pytestmark = pytest.mark.e2e

ENOSPC = f"[Errno {errno.ENOSPC}] {os.strerror(errno.ENOSPC)}"


@contextlib.contextmanager
def small_disk(path: Path, size: str = "2m"):
    """A tmpfs of `size` mounted at `path` for the test's length."""
    path.mkdir(parents=True, exist_ok=True)
    mount = ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)]
    done = subprocess.run(mount, capture_output=True, text=True, check=False)
    if done.returncode:
        pytest.skip(f"a tmpfs cannot be mounted here ({done.stderr.strip()}): needs root")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def fill(disk: Path) -> Path:
    """Write a file until the disk has no block left; the file, to delete for room again."""
    filler = disk / "filler"
    with filler.open("wb", buffering=0) as handle, pytest.raises(OSError) as full:
        while True:
            handle.write(b"\0" * 4096)
    assert full.value.errno == errno.ENOSPC
    return filler


# --- Metrics: a process must never die of a full var/metrics --------------------------------

COUNT_EVERYTHING = textwrap.dedent(
    """
    import os, sys
    from incidents import metrics

    def count():
        metrics.PUBLIC_CACHE.labels("render").inc()
        metrics.DEPENDENCY_ERRORS.labels(dependency="cache").inc()
        metrics.SEND_SECONDS.labels("email").observe(0.2)

    count()
    if len(sys.argv) > 1:  # fill the disk, then count new series, here and in a fork
        with open(sys.argv[1], "wb", buffering=0) as filler:
            try:
                while True:
                    filler.write(bytes(4096))
            except OSError:
                pass
        metrics.PUBLIC_CACHE.labels("snapshot").inc()
        metrics.SEND_SECONDS.labels("sms").observe(1.5)
        child = os.fork()
        if child == 0:
            count()
            metrics.DEPENDENCY_ERRORS.labels("database").inc()
            os._exit(0)
        _, status = os.waitpid(child, 0)
        print("child", os.waitstatus_to_exitcode(status))
    print("alive")
    """
)


def count_in_process(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", COUNT_EVERYTHING, *args],
        cwd=settings.BASE_DIR,
        env={**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def scraped(folder: Path) -> dict[str, float]:
    """The samples /metrics would show from these files, by name and labels."""
    from prometheus_client import CollectorRegistry
    from prometheus_client.multiprocess import MultiProcessCollector

    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(folder))
    return {
        f"{s.name}{sorted(s.labels.items())}": s.value
        for metric in registry.collect()
        for s in metric.samples
        if not s.name.endswith("_bucket")
    }


def test_a_process_started_with_var_full_counts_nothing_and_lives(tmp_path):
    with small_disk(tmp_path / "var") as disk:
        fill(disk)
        (disk / "metrics").mkdir()  # an empty folder takes no block
        run = count_in_process(disk / "metrics")
        assert (run.returncode, run.stdout) == (0, "alive\n"), run.stderr
        assert "metrics are off in process" in run.stderr
        assert list((disk / "metrics").iterdir()) == []  # nothing half made for /metrics
        assert scraped(disk / "metrics") == {}


def test_a_process_counting_when_var_fills_keeps_counting_and_its_forks_live(tmp_path):
    with small_disk(tmp_path / "var") as disk:
        (disk / "metrics").mkdir()
        run = count_in_process(disk / "metrics", str(disk / "filler"))
        assert (run.returncode, run.stdout) == (0, "child 0\nalive\n"), run.stderr
        counts = scraped(disk / "metrics")
    # The parent's counts, made before and after the disk filled; the fork counted nothing.
    assert counts == {
        "noroshi_public_cache_requests_total[('source', 'render')]": 1.0,
        "noroshi_public_cache_requests_total[('source', 'snapshot')]": 1.0,
        "noroshi_dependency_errors_total[('dependency', 'cache')]": 1.0,
        "noroshi_send_seconds_count[('channel', 'email')]": 1.0,
        "noroshi_send_seconds_sum[('channel', 'email')]": 0.2,
        "noroshi_send_seconds_count[('channel', 'sms')]": 1.0,
        "noroshi_send_seconds_sum[('channel', 'sms')]": 1.5,
    }


# --- The public page and what is posted while var/ is full ----------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_public_page_answers_and_an_update_is_kept_when_var_is_full(tmp_path):
    api = services.create_component(name="API")
    incident = services.declare_incident(
        name="Elevated API errors", body="Investigating.", component_statuses={api: "major_outage"}
    )
    database = database_url(connection.settings_dict)
    with small_disk(tmp_path / "var") as disk:  # the server's NOROSHI_VAR_DIR
        server = Gunicorn(tmp_path, database)
        try:
            status, _, body = fetch(server.port, "/")
            assert (status, b"Elevated API errors" in body) == (200, True)
            fill(disk)

            for path in ("/", "/api/v2/summary.json", "/history", "/?lang=ja"):
                assert (path, fetch(server.port, path)[0]) == (path, 200)
            services.post_update(incident=incident, status="identified", body="A bad deploy.")
            status, _, body = fetch(server.port, f"/incidents/{incident.public_id}")
            assert (status, b"A bad deploy." in body) == (200, True)  # rendered, never cached
        finally:
            server.stop()
        restarted = Gunicorn(tmp_path, database)  # a deploy, with var/ still full
        try:
            status, _, body = fetch(restarted.port, f"/incidents/{incident.public_id}")
            assert (status, b"A bad deploy." in body) == (200, True)
        finally:
            restarted.stop()
    assert IncidentUpdate.objects.filter(incident=incident).count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_snapshot_that_cannot_be_written_leaves_nothing_behind(tmp_path):
    services.declare_incident(name="Elevated API errors", body="Investigating.")
    with small_disk(tmp_path / "var") as disk:
        server = Gunicorn(tmp_path, database_url(connection.settings_dict))
        try:
            assert fetch(server.port, "/")[0] == 200
            kept = sorted(p.name for p in (disk / "snapshots").iterdir())
            fill(disk)
            fetch(server.port, "/history")  # rendered: its snapshot cannot be written
        finally:
            server.stop()
        assert sorted(p.name for p in (disk / "snapshots").iterdir()) == kept


# --- A worker writing e-mail files (the embedded default) into a full var/ -------------------


def test_a_message_file_is_on_the_disk_whole_or_not_at_all(tmp_path):
    """A message that runs out of room half-way leaves no file behind (Django's own file
    backend leaves its headers, To: included, which the retry then writes again in full)."""
    body = "The API is down. " * 4000  # 68 KB: the first blocks fit, the rest does not
    message = EmailMessage("API down", body, "status@localhost", ["hana@example.com"])
    with small_disk(tmp_path / "mail", size="1m") as disk:
        backend = MessageFileBackend(file_path=str(disk))
        filler = fill(disk)
        with filler.open("r+b") as handle:  # 16 KB of room again
            handle.truncate(filler.stat().st_size - 16384)

        with pytest.raises(OSError) as full:
            backend.send_messages([message])
        assert full.value.errno == errno.ENOSPC
        assert sorted(p.name for p in disk.iterdir()) == ["filler"]

        filler.unlink()
        assert backend.send_messages([message, message]) == 2
        files = sorted(disk.iterdir())
        assert len(files) == 2
        for file in files:
            data = file.read_bytes()
            assert data.count(b"\nTo: hana@example.com\n") == 1
            assert data.endswith(SEPARATOR)
            parsed = message_from_bytes(data.removesuffix(SEPARATOR))
            assert parsed.get_payload(decode=True).decode() == body


@pytest.mark.django_db(transaction=True)
def test_email_files_that_cannot_be_written_are_retried_and_written_once(tmp_path, worker_queue):
    """The worker's whole disk (var/, beat's schedule) on the tmpfs; only its log outside."""
    addresses = email_subscribers(20)
    incident = quiet_incident()
    with small_disk(tmp_path / "worker") as disk:
        (disk / "worker.log").symlink_to(tmp_path / "worker.log")
        env = {"EMAIL_BACKEND": "notify.channels.mail_files.MessageFileBackend"}
        with running_worker(disk, worker_queue, env) as worker:
            filler = fill(disk)
            announce(incident)
            refused = all_waiting(20, attempts=1)
            wait_for(refused, "every e-mail to fail to be written", worker)
            assert errors(refused.seen) == {f"could not write the message: {ENOSPC}"}

            filler.unlink()
            wait_for(settled, "every e-mail to be written once there is room", worker)
            time.sleep(2)
        written = b"".join(p.read_bytes() for p in (disk / "worker-var" / "mail").iterdir())
    assert set(Delivery.objects.values_list("state", flat=True)) == {"sent"}
    for address in addresses:
        assert written.count(f"\nTo: {address}\n".encode()) == 1, address
