"""The shipped nginx config (deploy/nginx/noroshi.conf) in front of a real gunicorn: /healthz
and /readyz pass straight through, never from the cache; /metrics is refused unless the site
allows its scraper, and then Noroshi finds the scraper behind nginx."""

import contextlib
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.e2e.conftest import database_url
from tests.e2e.gunicorn import Gunicorn, free_port

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed"),
]

SHIPPED = Path(settings.BASE_DIR) / "deploy" / "nginx" / "noroshi.conf"
MAIN = """\
{user}pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
daemon off;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {prefix}/noroshi.conf;
}}
"""


class Nginx:
    """The shipped config with this machine's ports and folders in its `site:` lines."""

    def __init__(self, prefix: Path, gunicorn_port: int, allow: str = ""):
        prefix.mkdir()
        self.port, gzip_port = free_port(), free_port()
        site = {
            "proxy_cache_path /var/cache/nginx/noroshi ": f"proxy_cache_path {prefix}/cache ",
            "server 127.0.0.1:8000;": f"server 127.0.0.1:{gunicorn_port};",
            "listen 80 backlog=4096;": f"listen 127.0.0.1:{self.port};",
            "server 127.0.0.1:8079;": f"server 127.0.0.1:{gzip_port};",
            "listen 127.0.0.1:8079;": f"listen 127.0.0.1:{gzip_port};",
            "# allow 10.0.0.0/8;": allow or "# allow 10.0.0.0/8;",
        }
        text = SHIPPED.read_text()
        for line, replacement in site.items():
            assert text.count(line) == 1, line
            text = text.replace(line, replacement)
        (prefix / "noroshi.conf").write_text(text)
        user = "user root;\n" if os.geteuid() == 0 else ""
        (prefix / "nginx.conf").write_text(MAIN.format(user=user, prefix=prefix))
        command = ["nginx", "-p", str(prefix), "-c", str(prefix / "nginx.conf")]
        self.process = subprocess.Popen(command, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"nginx exited: {self.process.stderr.read().decode()}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port)):
                return
            time.sleep(0.1)
        pytest.fail("nginx did not listen")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def fetch(port: int, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture
def gunicorn(transactional_db, tmp_path, monkeypatch):
    monkeypatch.setenv("NOROSHI_METRICS_NETWORKS", "127.0.0.1/32")
    monkeypatch.setenv("NOROSHI_TRUSTED_PROXIES", "1")
    server = Gunicorn(tmp_path, database_url(connection.settings_dict))
    try:
        yield server
    finally:
        server.stop()


def test_probes_pass_through_and_metrics_are_refused(gunicorn, tmp_path):
    nginx = Nginx(tmp_path / "nginx", gunicorn.port)
    try:
        for _ in range(2):  # the second time would be a cache hit, were it cached
            status, headers, body = fetch(nginx.port, "/healthz")
            assert (status, body) == (200, b'{"ok": true, "page": "current"}')
            assert "X-Cache-Status" not in headers
        status, headers, _ = fetch(nginx.port, "/readyz")
        assert (status, "X-Cache-Status" in headers) == (fetch(gunicorn.port, "/readyz")[0], False)
        # Refused by nginx, although Noroshi would let this network in.
        assert fetch(nginx.port, "/metrics")[0] == 403
        assert fetch(gunicorn.port, "/metrics")[0] == 200
    finally:
        nginx.stop()


def test_metrics_reach_a_scraper_the_site_allows(gunicorn, tmp_path):
    # NOROSHI_METRICS_NETWORKS=127.0.0.1/32 with NOROSHI_TRUSTED_PROXIES=1: the address nginx
    # writes into X-Forwarded-For is the one Noroshi checks.
    nginx = Nginx(tmp_path / "nginx", gunicorn.port, allow="allow 127.0.0.1;")
    try:
        status, _, body = fetch(nginx.port, "/metrics")
        assert status == 200
        assert b'noroshi_metrics_source_up{source="database"} 1.0' in body
    finally:
        nginx.stop()


def post(port: int, path: str) -> int:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=b"x=1", method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_logins_and_sign_ups_are_limited_per_address_and_pages_are_not(gunicorn, tmp_path):
    """A burst of POSTs to the console login or to a sign-up form is cut to the configured
    rate with 429 by nginx itself; reading those pages, and the page, is never limited."""
    nginx = Nginx(tmp_path / "nginx", gunicorn.port)
    try:
        logins = [post(nginx.port, "/admin/login/") for _ in range(12)]
        signups = [post(nginx.port, "/subscribe") for _ in range(25)]
        reads = [fetch(nginx.port, "/subscribe")[0] for _ in range(25)]
        pages = [fetch(nginx.port, "/")[0] for _ in range(40)]
    finally:
        nginx.stop()
    # Django answers these POSTs (no CSRF token: 403) until nginx's burst is spent.
    assert 429 not in logins[:6] and logins[-1] == 429
    assert 429 not in signups[:11] and signups[-1] == 429
    assert set(reads) == {200} and set(pages) == {200}
