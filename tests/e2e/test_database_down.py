"""With the database gone, a real gunicorn keeps answering the public page with 200: from the
cache, and — with the cache emptied too — from the last good snapshot on disk."""

import contextlib
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from incidents import services
from tests.e2e.conftest import database_url
from tests.e2e.tcp_proxy import TcpProxy

pytestmark = pytest.mark.e2e

PUBLIC_PATHS = ("/", "/api/v2/summary.json")


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
    """gunicorn serving Noroshi on a free port with the given database and a cache of its own."""

    def __init__(self, tmp_path: Path, database: str):
        self.port = free_port()
        self.log = tmp_path / f"gunicorn-{self.port}.log"
        env = {
            **os.environ,
            "DATABASE_URL": database,
            "NOROSHI_VAR_DIR": str(tmp_path / "var"),  # snapshots survive a restart
            "CACHE_KEY_PREFIX": f"e2e-{uuid.uuid4().hex[:12]}",  # an empty cache per server
            "DB_CONN_MAX_AGE": "60",
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


class SqliteOutage:
    """SQLite has no server to stop: the server gets a copy, and the copy's folder goes away."""

    def __init__(self, tmp_path: Path):
        self.folder = tmp_path / "db"

    def connect(self) -> str:
        self.folder.mkdir()
        copy = self.folder / "noroshi.sqlite3"
        source = sqlite3.connect(connection.settings_dict["NAME"])
        target = sqlite3.connect(copy)
        source.backup(target)
        source.close()
        target.close()
        return f"sqlite:///{copy}"

    def take_away(self) -> None:
        shutil.rmtree(self.folder)

    def close(self) -> None:
        pass


class PostgresOutage:
    """The server reaches PostgreSQL through a proxy; stopping the proxy is the outage."""

    def __init__(self):
        db = connection.settings_dict
        self.proxy = TcpProxy(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)).start()
        self.url = database_url({**db, "HOST": "127.0.0.1", "PORT": self.proxy.port})

    def connect(self) -> str:
        return self.url

    def take_away(self) -> None:
        self.proxy.stop()

    def close(self) -> None:
        self.proxy.shutdown()


@pytest.fixture
def outage(transactional_db, tmp_path):
    """A database the server can use (connect()) and the test can take away (take_away())."""
    database = SqliteOutage(tmp_path) if connection.vendor == "sqlite" else PostgresOutage()
    try:
        yield database
    finally:
        database.close()


def test_public_page_answers_while_the_database_is_down(outage, tmp_path):
    api = services.create_component(name="API")
    services.declare_incident(
        name="Elevated API errors", body="Investigating.", component_statuses={api: "major_outage"}
    )
    database = outage.connect()
    server = Gunicorn(tmp_path, database)
    try:
        assert fetch(server.port, "/healthz")[0] == 200
        good = {path: fetch(server.port, path) for path in PUBLIC_PATHS}
        assert {path: status for path, (status, _, _) in good.items()} == dict.fromkeys(
            PUBLIC_PATHS, 200
        )
        assert b"Elevated API errors" in good["/"][2]

        outage.take_away()

        # The database really is gone, and this process still serves the page: healthy.
        assert fetch(server.port, "/readyz")[0] == 503
        assert fetch(server.port, "/healthz")[0] == 200
        for path in PUBLIC_PATHS:
            status, _, body = fetch(server.port, path)
            assert (path, status, body) == (path, 200, good[path][2])
    finally:
        server.stop()

    # A fresh server with an empty cache has only the snapshots on disk to go on.
    restarted = Gunicorn(tmp_path, database)
    try:
        for path in PUBLIC_PATHS:
            status, headers, body = fetch(restarted.port, path)
            assert (path, status, headers.get("X-Noroshi-Snapshot")) == (path, 200, "stale")
            assert body == good[path][2]
    finally:
        restarted.stop()
