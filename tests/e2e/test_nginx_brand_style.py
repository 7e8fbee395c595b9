"""The brand colours' <style> behind the shipped nginx (deploy/nginx/noroshi.conf) and a real
gunicorn: each page, from nginx's micro-cache or fresh, comes with the Content-Security-Policy
of its own style, before and after the colour changes."""

import base64
import copy
import hashlib
import re
import shutil
import time

import pytest
from django.conf import settings
from django.test import override_settings

from incidents import services
from tests.e2e.test_nginx_probes import Nginx, fetch, gunicorn  # noqa: F401 (a fixture)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed"),
]

STYLE = re.compile(rb"<style>([^<]*)</style>")


def style_and_source(headers: dict, body: bytes) -> tuple[bytes, str]:
    """The page's style, and the source its policy allows styles from besides its own files."""
    (style,) = STYLE.findall(body)
    policy = headers["Content-Security-Policy"]
    (style_src,) = [part for part in policy.split(";") if part.strip().startswith("style-src")]
    digest = base64.b64encode(hashlib.sha256(style).digest()).decode()
    assert style_src.split() == ["style-src", "'self'", f"'sha256-{digest}'"]
    return style, digest


def server_caches(server, tmp_path) -> dict:
    """gunicorn's cache (its own key prefix; with no Redis, its own folder): a write made
    under it moves the page stamp that gunicorn reads."""
    default = copy.deepcopy(settings.CACHES["default"])
    default["KEY_PREFIX"] = server.cache_prefix
    if default["BACKEND"].endswith("FileBasedCache"):
        default["LOCATION"] = str(tmp_path / "var" / "cache")
    return {"default": default}


def test_every_copy_nginx_serves_carries_the_policy_of_its_own_style(gunicorn, tmp_path):  # noqa: F811
    with override_settings(CACHES=server_caches(gunicorn, tmp_path)):
        services.edit_page_settings(brand_colour="#6f42c1")
    nginx = Nginx(tmp_path / "nginx", gunicorn.port)
    try:
        before = [fetch(nginx.port, "/") for _ in range(3)]
        with override_settings(CACHES=server_caches(gunicorn, tmp_path)):
            services.edit_page_settings(brand_colour="#0969da")
        after = [fetch(nginx.port, "/")]
        deadline = time.monotonic() + 30  # nginx holds a page for a second, then asks again
        while b"--brand:#0969da" not in after[-1][2] and time.monotonic() < deadline:
            time.sleep(0.2)
            after.append(fetch(nginx.port, "/"))
    finally:
        nginx.stop()

    assert "HIT" in {headers.get("X-Cache-Status") for _, headers, _ in before}
    styles = {style_and_source(headers, body)[0] for status, headers, body in before + after}
    assert len(styles) == 2
    assert b"--brand:#0969da" in after[-1][2]
