"""Fixtures that start real processes: a Celery worker with its embedded beat, on the test
database, stopped (SIGTERM, then SIGKILL of its whole process group) whatever happens."""

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from notify.models import Delivery, Notification
from tests.cache_keys import derived_prefix
from tests.e2e.queues import forget_queue, queue_of_its_own
from tests.smtp_sink import SmtpSink

READY_TIMEOUT = 30
STOP_TIMEOUT = 10


@dataclass
class WorkerProcess:
    process: subprocess.Popen
    log_path: Path
    beat: bool = True  # with its embedded beat (-B)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def ensure_alive(self) -> None:
        if self.process.poll() is not None:
            pytest.fail(f"The Celery worker exited with {self.process.returncode}")

    def exit_code(self, timeout: float) -> int:
        """Wait for the worker to exit on its own; a worker that does not is a failure that
        shows the end of its log (where it was stuck)."""
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(
                f"The worker did not exit within {timeout} s; its log:\n{self.log()[-6000:]}"
            )


def database_url(db: dict) -> str:
    """A DATABASE_URL for the test database the current connection uses."""
    if db["ENGINE"] == "django.db.backends.sqlite3":
        name = str(db["NAME"])
        if name == ":memory:" or name.startswith("file:"):
            pytest.fail("End-to-end tests need the SQLite test database in a file.")
        return f"sqlite:///{Path(name).resolve()}"
    if db["ENGINE"] == "django.db.backends.postgresql":
        auth = quote(db["USER"] or "", safe="")
        if db["PASSWORD"]:
            auth += ":" + quote(db["PASSWORD"], safe="")
        host = quote(db["HOST"] or "localhost", safe="")
        return f"postgres://{auth}@{host}:{db['PORT'] or 5432}/{quote(db['NAME'], safe='')}"
    pytest.fail(f"No worker DATABASE_URL for the engine {db['ENGINE']}.")


def worker_environment(var_dir: Path, queue: str, extra: dict[str, str]) -> dict[str, str]:
    env = {
        **os.environ,
        # The filesystem broker's folders are shared, so that tasks this process queues reach
        # the worker; the queue of its own keeps runs apart.
        "NOROSHI_BROKER_DIR": str(settings.CELERY_BROKER_DIR),
        "DJANGO_SETTINGS_MODULE": "tests.e2e.worker_settings",
        "DATABASE_URL": database_url(connection.settings_dict),
        "NOROSHI_VAR_DIR": str(var_dir),
        "NOROSHI_MAINTENANCE_CHECK_SECONDS": "1",
        "NOROSHI_E2E_QUEUE": queue,
        "CACHE_KEY_PREFIX": derived_prefix("worker"),  # forgotten with the test's own
        "PYTHONUNBUFFERED": "1",
        # At the tests' own priority unless a test says otherwise (the niceness itself:
        # test_worker_priority). Niced, in a session of its own, a worker yields the CPU to
        # anything else that runs, as it should to the web: beside pytest-xdist's other
        # workers it went ten times slower and missed the waits here.
        "NOROSHI_WORKER_NICE": "0",
    }
    # The filesystem broker lives in the worker's own var/; Redis is shared, hence the queue.
    env.pop("CELERY_BROKER_URL", None)
    if not settings.CELERY_BROKER_URL.startswith("filesystem://"):
        env["CELERY_BROKER_URL"] = settings.CELERY_BROKER_URL
    return {**env, **extra}


def start_worker(
    tmp_path: Path,
    queue: str,
    extra: dict[str, str] | None = None,
    concurrency: int = 1,
    *,
    name: str = "worker",
    beat: bool = True,
) -> WorkerProcess:
    """A worker (with its embedded beat unless told otherwise), logging to <name>.log."""
    var_dir = tmp_path / f"{name}-var"
    var_dir.mkdir(exist_ok=True)
    log_path = tmp_path / f"{name}.log"
    command = [
        sys.executable, "-m", "celery", "-A", "statuspage", "worker", *(["-B"] if beat else []),
        "--loglevel", "INFO", "--concurrency", str(concurrency), "-O", "fair",
        "--hostname", f"{queue}-{name}@%h",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
        "--schedule", str(tmp_path / "celerybeat-schedule"),
    ]  # fmt: skip
    with log_path.open("ab") as log:  # a restarted worker writes on after the first
        process = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=worker_environment(var_dir, queue, extra or {}),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return WorkerProcess(process=process, log_path=log_path, beat=beat)


def wait_until_ready(worker: WorkerProcess) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        worker.ensure_alive()
        log = worker.log()
        if " ready." in log and ("beat: Starting..." in log or not worker.beat):
            return
        time.sleep(0.1)
    pytest.fail(f"The Celery worker was not ready after {READY_TIMEOUT} s")


def stop_worker(worker: WorkerProcess) -> None:
    process = worker.process
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=STOP_TIMEOUT)
    # The pool's children and the embedded beat share the worker's process group.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=STOP_TIMEOUT)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def beat_worker(request, transactional_db, tmp_path):
    """A real `celery worker -B` on the test database, beat ticking every second."""
    queue = f"noroshi-e2e-{uuid.uuid4().hex[:12]}"
    worker = start_worker(tmp_path, queue)
    failed = True
    try:
        wait_until_ready(worker)
        failed = False
        yield worker
        failed = getattr(getattr(request.node, "report_call", None), "failed", True)
    finally:
        stop_worker(worker)
        forget_queue(queue)
        if failed:
            sys.stderr.write(f"\n----- Celery worker log -----\n{worker.log()}\n")


# --- Shared by the notification tests: a sink, a queue of the test's own, waiting -----------

WAIT = 90


@pytest.fixture
def sink():
    with SmtpSink() as running:
        yield running


@pytest.fixture
def worker_queue():
    """A queue of this test's own, used by this process's tasks and by the workers."""
    with queue_of_its_own() as queue:
        yield queue


def wait_for(condition, what: str, worker) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if condition():
            return
        worker.ensure_alive()
        time.sleep(0.2)
    pytest.fail(f"waited {WAIT} s for {what}")


def settled() -> bool:
    """Every notification fanned out and none of its deliveries still open. (Before its fan-out
    a notification has no delivery rows at all: "none open" alone would be true at once.)"""
    return (
        not Notification.objects.filter(fanned_out_at__isnull=True).exists()
        and not Delivery.objects.filter(state__in=("pending", "sending")).exists()
    )
