"""With the database gone, a real gunicorn keeps answering the public page with 200: from the
cache, and — with the cache emptied too — from the last good snapshot on disk."""

import shutil
import sqlite3
from pathlib import Path

import pytest
from django.db import connection

from incidents import services
from tests.e2e.conftest import database_url
from tests.e2e.gunicorn import Gunicorn, fetch
from tests.e2e.tcp_proxy import TcpProxy

pytestmark = pytest.mark.e2e

PUBLIC_PATHS = ("/", "/api/v2/summary.json")


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
