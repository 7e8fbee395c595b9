"""The processes under test: a database of the benchmark's own (dropped and made anew), a Redis
database number of its own (flushed), the SMTP sink, and a real Celery worker with its beat.

Everything listens on 127.0.0.1; Stack.close() stops what it started, in its own sessions,
and drops the database unless asked to keep it.
"""

import contextlib
import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def page_module(name: str):
    """A module of bench/page, loaded under another name (both benchmarks have a stack.py)."""
    spec = importlib.util.spec_from_file_location(
        f"page_{name}", HERE.parent / "page" / f"{name}.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


free_port = page_module("stack").free_port
venv_python = page_module("stack").venv_python


def stop(process: subprocess.Popen) -> None:
    """Stop one process we started (its own session): TERM, then KILL."""
    for sig, grace in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        if process.poll() is not None:
            break
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            continue
    # The worker's pool children share its session: none may outlive it.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


class Stack:
    """Database, Redis, sink and worker of one run; use as a context manager."""

    # Another benchmark built on this one names its own directory and worker, and may run beat
    # in a process of its own.
    name = "bench-fanout"
    embedded_beat = True

    def __init__(self, *, database_url: str, redis_url: str, keep: bool = False) -> None:
        self.work = Path(tempfile.mkdtemp(prefix=f"noroshi-{self.name}-"))
        self.database_url, self.redis_url, self.keep = database_url, redis_url, keep
        self.sink_port = free_port()
        self.sink_log = self.work / "sink.log"
        self.worker_log = self.work / "worker.log"
        self.processes: list[subprocess.Popen] = []
        self.worker: subprocess.Popen | None = None
        self.env = self.django_env()

    @property
    def database_name(self) -> str:
        return urlsplit(self.database_url).path.lstrip("/")

    def __enter__(self) -> "Stack":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def django_env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            DATABASE_URL=self.database_url,
            REDIS_URL=self.redis_url,
            CELERY_BROKER_URL=self.redis_url,
            CACHE_KEY_PREFIX="noroshi-bench-fanout",
            NOROSHI_VAR_DIR=str(self.work / "var"),
            DJANGO_SETTINGS_MODULE="statuspage.settings",
            DEBUG="false",
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(self.sink_port),
            TZ="UTC",  # the worker's log times are read back as UTC
            # The probe audience gets a message per probe within a minute or two: the storm
            # guard's cap is raised so that none is held (its queries still run per batch).
            NOROSHI_STORM_MAX_MESSAGES="1000",
            PYTHONDONTWRITEBYTECODE="1",
            **extra,
        )
        env.pop("CELERY_TASK_ALWAYS_EAGER", None)
        return env

    # --- Database and Redis ----------------------------------------------------------------

    def recreate_database(self) -> None:
        import psycopg

        parts = urlsplit(self.database_url)
        name = parts.path.lstrip("/")
        with psycopg.connect(
            host=parts.hostname, port=parts.port or 5432, user=parts.username,
            password=parts.password, dbname="postgres", autocommit=True,
        ) as admin:  # fmt: skip
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')

    def drop_database(self) -> None:
        import psycopg

        parts = urlsplit(self.database_url)
        with psycopg.connect(
            host=parts.hostname, port=parts.port or 5432, user=parts.username,
            password=parts.password, dbname="postgres", autocommit=True,
        ) as admin:  # fmt: skip
            admin.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')

    def flush_redis(self) -> None:
        import redis

        redis.Redis.from_url(self.redis_url).flushdb()

    def migrate(self) -> None:
        result = subprocess.run(
            [venv_python(), "manage.py", "migrate", "--noinput", "--verbosity", "0"],
            cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        if result.returncode != 0:
            raise RuntimeError(f"migrate failed:\n{result.stderr[-3000:]}")

    # --- Processes ---------------------------------------------------------------------------

    def start(self, args: list[str], log_path: Path, env: dict[str, str]) -> subprocess.Popen:
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        self.processes.append(process)
        return process

    def start_sink(self) -> None:
        process = self.start(
            [venv_python(), str(HERE / "sink.py"), str(self.sink_port), str(self.sink_log)],
            self.work / "sink.out",
            self.env,
        )
        wait_for_line(self.work / "sink.out", "ready", process, 20)

    def start_worker(self, concurrency: int, **extra_env: str) -> None:
        """The worker, with its beat embedded unless `embedded_beat` is off."""
        beat = ["-B", "--schedule", str(self.work / "celerybeat-schedule")]
        command = [
            venv_python(), "-m", "celery", "-A", "statuspage", "worker",
            *(beat if self.embedded_beat else []),
            "--loglevel", "INFO", "--concurrency", str(concurrency),
            "--hostname", f"{self.name}@%h", "--without-gossip", "--without-mingle",
            "--without-heartbeat",
        ]  # fmt: skip
        self.worker = self.start(command, self.worker_log, self.django_env(**extra_env))
        wait_for_line(self.worker_log, " ready.", self.worker, 60)

    def stop_worker(self) -> None:
        if self.worker is not None:
            stop(self.worker)
            self.processes.remove(self.worker)
            self.worker = None

    def sessions(self) -> set[int]:
        """The sessions of the processes this stack started (for the CPU accounting)."""
        return {process.pid for process in self.processes if process.poll() is None}

    def close(self) -> None:
        for process in reversed(self.processes):
            stop(process)
        self.processes.clear()
        if not self.keep:
            try:
                self.drop_database()
            except Exception as error:  # the run's figures matter more than the clean-up
                print(f"could not drop the benchmark database: {error}", file=sys.stderr)
            shutil.rmtree(self.work, ignore_errors=True)


def wait_for_line(path: Path, text: str, process: subprocess.Popen, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = path.read_text(errors="replace")[-3000:] if path.exists() else ""
            raise RuntimeError(f"{process.args[1]} exited with {process.returncode}:\n{tail}")
        if path.exists() and text in path.read_text(errors="replace"):
            return
        time.sleep(0.1)
    raise RuntimeError(f"{path.name}: no {text!r} within {seconds:.0f} s")
