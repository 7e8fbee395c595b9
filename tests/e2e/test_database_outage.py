"""The database goes away under a real gunicorn — refused (cut) or silent (black-holed) — and
comes back. Meanwhile what cannot come from a snapshot (`/subscribe`, a page never rendered,
the console) answers a plain 503 page in the visitor's language with Retry-After, never a bare
500 and never a hang; /healthz stays 200 while the page is served; /readyz names the database;
/metrics counts the outage. Afterwards everything answers again by itself."""

import http.cookiejar
import re
import shutil
import sqlite3
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from prometheus_client.multiprocess import MultiProcessCollector

from incidents import services
from incidents.metrics import FILE_KINDS
from notify.models import Subscriber
from tests.e2e.conftest import database_url
from tests.e2e.gunicorn import Gunicorn
from tests.e2e.tcp_proxy import TcpProxy

pytestmark = pytest.mark.e2e

TOKEN = "scrape-me"
UNAVAILABLE = {
    "en": "Temporarily unavailable",
    "ja": "一時的にご利用いただけません",
}
PASSWORD = "a long console password"
NEVER_RENDERED = {
    "cut": ("/history?lang=ja", "/api/v2/incidents.json"),
    "blackhole": ("/maintenance?lang=ja", "/api/v2/scheduled-maintenances.json"),
}


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One visitor with cookies, talking to the server over HTTP; redirects are not followed."""

    def __init__(self, port: int):
        self.base = f"http://127.0.0.1:{port}"
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirects
        )

    def open(self, path: str, data: dict | None = None, headers: dict | None = None):
        body = None if data is None else urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(self.base + path, data=body, headers=headers or {})
        try:
            with self.opener.open(request, timeout=15) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()

    def csrf_token(self, path: str) -> str:
        status, _, body = self.open(path)
        assert status == 200, body
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        assert match, body
        return match.group(1)

    def log_in(self) -> None:
        token = self.csrf_token("/admin/login/")
        status, headers, _ = self.open(
            "/admin/login/",
            {
                "username": "oncall",
                "password": PASSWORD,
                "csrfmiddlewaretoken": token,
                "next": "/admin/",
            },
        )
        assert (status, headers["Location"]) == (302, "/admin/")
        # The second factor (statuspage.second_factor): the app's code of this moment.
        status, headers, _ = self.open("/admin/")
        assert (status, headers["Location"]) == (
            302,
            "/admin/second-factor/verify/?next=%2Fadmin%2F",
        )
        device = TOTPDevice.objects.get(user__username="oncall")
        code = f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"
        token = self.csrf_token("/admin/second-factor/verify/")
        status, headers, _ = self.open(
            "/admin/second-factor/verify/",
            {"code": code, "csrfmiddlewaretoken": token, "next": "/admin/"},
        )
        assert (status, headers["Location"]) == (302, "/admin/")


class SqliteDatabase:
    """SQLite has no server: the server gets a copy, whose folder is moved away and back."""

    def __init__(self, tmp_path: Path):
        self.folder = tmp_path / "db"
        self.away = tmp_path / "db-away"
        self.modes = ("cut",)

    def connect(self) -> str:
        self.folder.mkdir()
        copy = self.folder / "noroshi.sqlite3"
        source = sqlite3.connect(connection.settings_dict["NAME"])
        target = sqlite3.connect(copy)
        source.backup(target)
        source.close()
        target.close()
        return f"sqlite:///{copy}"

    def fail(self, mode: str) -> None:
        self.folder.rename(self.away)

    def restore(self) -> None:
        self.away.rename(self.folder)

    def close(self) -> None:
        shutil.rmtree(self.away, ignore_errors=True)


class PostgresDatabase:
    """PostgreSQL behind a proxy that refuses connections (cut) or swallows them (blackhole)."""

    def __init__(self):
        db = connection.settings_dict
        self.proxy = TcpProxy(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)).start()
        self.url = database_url({**db, "HOST": "127.0.0.1", "PORT": self.proxy.port})
        self.modes = ("cut", "blackhole")

    def connect(self) -> str:
        return self.url

    def fail(self, mode: str) -> None:
        getattr(self.proxy, mode)()

    def restore(self) -> None:
        self.proxy.restore()

    def close(self) -> None:
        self.proxy.shutdown()


@pytest.fixture
def database(transactional_db, tmp_path):
    db = SqliteDatabase(tmp_path) if connection.vendor == "sqlite" else PostgresDatabase()
    try:
        yield db
    finally:
        db.close()


@pytest.fixture
def server(database, tmp_path, monkeypatch):
    """gunicorn on `database`, with metrics of its own and a scrape token."""
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "metrics"))
    (tmp_path / "metrics").mkdir()
    monkeypatch.setenv("NOROSHI_METRICS_TOKEN", TOKEN)
    api = services.create_component(name="API")
    incident = services.declare_incident(
        name="Elevated API errors", body="Investigating.", component_statuses={api: "major_outage"}
    )
    oncall = User.objects.create_superuser("oncall", "oncall@example.com", PASSWORD)
    TOTPDevice.objects.create(user=oncall, name="Authenticator app", confirmed=True)
    running = Gunicorn(tmp_path, database.connect())
    running.incident = incident
    try:
        yield running
    finally:
        running.stop()


def unavailable_page(answer, language: str) -> None:
    """A plain 503 page in `language`, asking to come back."""
    status, headers, body = answer
    assert (status, headers["Retry-After"], headers["Content-Language"]) == (503, "30", language)
    assert UNAVAILABLE[language] in body
    assert "Traceback" not in body and "Server Error" not in body


def database_errors(browser: Browser) -> float:
    status, _, body = browser.open("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert status == 200
    match = re.search(
        r'^noroshi_dependency_errors_total\{dependency="database"\} (\S+)$', body, re.M
    )
    return float(match.group(1)) if match else 0.0


def database_errors_in(folder: Path) -> float:
    merged = MultiProcessCollector.merge([str(path) for path in folder.glob("*.db")])
    (errors,) = [metric for metric in merged if metric.name == "noroshi_dependency_errors"]
    return sum(
        sample.value for sample in errors.samples if sample.labels == {"dependency": "database"}
    )


def test_database_outage_answers_503_and_recovers(database, server, tmp_path):
    visitor, oncall = Browser(server.port), Browser(server.port)
    change_form = f"/admin/incidents/incident/{server.incident.pk}/change/"
    subscribe_token = visitor.csrf_token("/subscribe")
    oncall.log_in()
    assert visitor.open("/")[0] == 200  # now in the server's memory
    sign_up = {
        "csrfmiddlewaretoken": subscribe_token,
        "channel": "email",
        "address": "reader@example.com",
        "language": "en",
        "scope": "all",
    }
    failures = 0

    for mode in database.modes:
        # Pages never rendered before (a rendering leaves a snapshot behind).
        page, api = NEVER_RENDERED[mode]
        database.fail(mode)

        unavailable_page(visitor.open("/subscribe"), "en")
        unavailable_page(visitor.open("/subscribe?lang=ja"), "ja")
        unavailable_page(
            visitor.open("/subscribe", headers={"Accept-Language": "ja,en;q=0.5"}), "ja"
        )
        unavailable_page(visitor.open("/subscribe", sign_up), "en")
        unavailable_page(visitor.open(page), "ja")
        status, headers, body = visitor.open(api)
        assert (status, headers["Content-Type"], headers["Retry-After"]) == (
            503, "application/json", "30"
        )  # fmt: skip
        assert '"title": "Temporarily unavailable"' in body
        unavailable_page(oncall.open("/admin/", headers={"Accept-Language": "ja"}), "en")
        unavailable_page(oncall.open(change_form), "en")
        unavailable_page(Browser(server.port).open("/admin/login/"), "en")
        failures += 9

        # This process still serves the page from memory: it stays in the load balancer's pool.
        assert visitor.open("/")[0] == 200
        status, _, body = visitor.open("/healthz")
        assert (status, body) == (200, '{"ok": true, "page": "current"}')
        status, _, body = visitor.open("/readyz")
        assert status == 503
        # Refused at once, or still waiting for its connect timeout when /readyz answers.
        detail = "error: OperationalError" if mode == "cut" else "no answer within 1.5 s"
        assert f'"database": {{"status": "down", "detail": "{detail}"}}' in body
        assert database_errors(visitor) == failures

        database.restore()

        assert visitor.open("/subscribe")[0] == 200
        assert visitor.open(page)[0] == 200
        assert visitor.open(api)[0] == 200
        assert oncall.open("/admin/")[0] == 200
        assert oncall.open(change_form)[0] == 200
        assert Browser(server.port).open("/admin/login/")[0] == 200
        assert '"database": {"status": "ok"' in visitor.open("/readyz")[2]

    assert Subscriber.objects.count() == 0  # the sign-up sent while it was down wrote nothing

    # gunicorn's master folds each exiting worker's counters into the archive (child_exit in
    # gunicorn.conf.py): nothing is lost, and no file per worker is left behind.
    server.stop()
    metrics = tmp_path / "metrics"
    assert sorted(path.name for path in metrics.glob("*.db")) == [
        f"{kind}_archive.db" for kind in FILE_KINDS
    ]
    assert database_errors_in(metrics) == failures
