"""A real gunicorn serving Noroshi on a free port, for the tests that take a dependency away
from under it, and a plain HTTP GET against it."""

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from statuspage.celery import app
from tests.cache_keys import derived_prefix


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(port: int, path: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class Gunicorn:
    """gunicorn serving Noroshi on a free port with the given database and a cache of its own
    (`cache_prefix`); `env` adds to or overrides its environment."""

    def __init__(self, tmp_path: Path, database: str, env: dict[str, str] | None = None):
        self.port = free_port()
        self.log = tmp_path / f"gunicorn-{self.port}.log"
        self.cache_prefix = derived_prefix(f"server-{uuid.uuid4().hex[:8]}")  # empty, per server
        env = {
            **os.environ,
            "DATABASE_URL": database,
            "NOROSHI_VAR_DIR": str(tmp_path / "var"),  # snapshots survive a restart
            "CACHE_KEY_PREFIX": self.cache_prefix,
            "DB_CONN_MAX_AGE": "60",
            # What it queues goes to the test's own queue (tests.e2e.queues), deleted after it.
            "DJANGO_SETTINGS_MODULE": "tests.e2e.worker_settings",
            "NOROSHI_E2E_QUEUE": app.conf.task_default_queue,
            **(env or {}),
        }
        command = [
            sys.executable, "-m", "gunicorn", "statuspage.wsgi", "--bind",
            f"127.0.0.1:{self.port}", "--workers", "1", "--no-control-socket",
        ]  # fmt: skip
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"gunicorn exited:\n{self.log.read_text()}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port)):
                return
            time.sleep(0.1)
        pytest.fail(f"gunicorn did not listen:\n{self.log.read_text()}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
