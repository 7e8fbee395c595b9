"""HTTPS and security headers: an https SITE_URL alone turns on HSTS, Secure cookies and the
redirect; every page (public, subscribe, console) carries a Content-Security-Policy without
'unsafe-inline' that no page of ours violates in a real browser."""

import json
import os
import subprocess
import sys
from base64 import b32decode
from pathlib import Path

import pytest
from django.conf import settings
from django_otp.oath import totp

from tests.chromium import chromium

ROOT = Path(__file__).resolve().parents[2]

# What docs/operations.md ("Production settings") and .env.example give for production.
PRODUCTION = {
    "SECRET_KEY": "x7Qv2-production-like-secret-key-of-enough-length-and-variety-9aZ",
    "SITE_URL": "https://status.example.com",
    "TRUST_X_FORWARDED_PROTO": "1",
    "DEBUG": "",
    "DATABASE_URL": "postgres://noroshi@db.internal:5432/noroshi",
    "REDIS_URL": "redis://redis.internal:6379/0",
}


def run_django(code: str, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, **env}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        cwd=ROOT, env={**environment, "DJANGO_SETTINGS_MODULE": "statuspage.settings"},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def settings_under(**env: str) -> dict:
    names = [
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
    ]
    code = "from django.conf import settings; import json\n"
    code += f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}))"
    result = run_django(code, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_an_https_site_url_turns_on_hsts_secure_cookies_and_the_redirect():
    assert settings_under(**PRODUCTION) == {
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
    }
    assert settings_under(**PRODUCTION, NOROSHI_HSTS_SECONDS="600")["SECURE_HSTS_SECONDS"] == 600


def test_an_http_site_url_keeps_plain_http():
    found = settings_under(SITE_URL="http://127.0.0.1:8000")
    assert found["SECURE_HSTS_SECONDS"] == 0
    assert not (found["SECURE_SSL_REDIRECT"] or found["SESSION_COOKIE_SECURE"])


def test_check_deploy_is_clean_with_the_production_variables(tmp_path):
    env = {**os.environ, **PRODUCTION, "NOROSHI_VAR_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_https_without_a_trusted_proxy_header_is_a_deploy_warning(tmp_path):
    env = {
        **os.environ,
        **PRODUCTION,
        "TRUST_X_FORWARDED_PROTO": "",
        "NOROSHI_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert "noroshi.W001" in result.stderr + result.stdout


def test_the_embedded_database_and_cache_are_deploy_warnings(tmp_path):
    env = {**os.environ, **PRODUCTION, "NOROSHI_VAR_DIR": str(tmp_path)}
    env["NOROSHI_ENV_FILE"] = os.devnull  # no .env beside manage.py sets them either
    for name in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    output = result.stderr + result.stdout
    database = "DATABASE_URL is not set: this runs on the embedded SQLite database in"
    assert f"(noroshi.W002) {database} {tmp_path}." in output
    assert "(noroshi.W003) REDIS_URL is not set" in output


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/subscribe", "/history", "/admin/login/"])
def test_every_page_carries_a_policy_without_unsafe_inline(client, path):
    response = client.get(path)

    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_the_redirect_and_hsts_behind_the_proxy(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

    plain = client.get("/history", HTTP_X_FORWARDED_PROTO="http")
    secure = client.get("/history", HTTP_X_FORWARDED_PROTO="https")
    probe = client.get("/healthz", HTTP_X_FORWARDED_PROTO="http")

    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert probe.status_code == 200  # load balancers probe over plain http


@pytest.fixture
def console_user(django_user_model):
    return django_user_model.objects.create_superuser("csp", "csp@example.com", "pw-for-csp-1")


@pytest.mark.django_db(transaction=True)
def test_no_page_violates_the_policy_in_chromium(live_server, console_user):
    """Chromium reports every blocked script, style or frame on the console: none of the public
    pages or the console's main pages may have one."""
    from incidents.demo import seed_demo

    seed_demo()
    paths = ["/", "/history", "/uptime", "/subscribe", "/admin/", "/admin/incidents/incident/",
             "/admin/incidents/incident/add/", "/admin/notify/subscriber/"]  # fmt: skip
    violations: list[str] = []
    with chromium() as browser:
        page = browser.new_page()
        page.on(
            "console",
            lambda message: (
                violations.append(f"{page.url}: {message.text}")
                if "Content Security Policy" in message.text
                else None
            ),
        )
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("#id_username", "csp")
        page.fill("#id_password", "pw-for-csp-1")
        page.click("input[type=submit]")
        page.wait_for_load_state("load")  # the second factor's enrolment, its QR code included
        key = page.text_content("#content-main p code").replace(" ", "")  # typed by hand
        page.fill("#id_code", f"{totp(b32decode(key + '=' * (-len(key) % 8))):06d}")
        page.click("input[type=submit]")
        page.wait_for_load_state("load")  # the recovery codes
        for path in paths:
            page.goto(live_server.url + path)
            page.wait_for_load_state("load")
        page.close()
    assert violations == []
    assert settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"] == ["'self'"]
