"""The exported demo page served as plain files (http.server, no Noroshi behind it) and walked
in real headless Chromium: the styles load, links between pages and languages work, and no
request leaves the static server."""

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from incidents.demo import seed_demo
from tests.chromium import chromium, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]


class QuietHandler(SimpleHTTPRequestHandler):
    extensions_map = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".html": "text/html; charset=utf-8",
    }

    def log_message(self, format, *args):
        pass


@pytest.fixture
def static_site(tmp_path):
    seed_demo()
    call_command("export_static_page", str(tmp_path / "site"), verbosity=0)
    handler = functools.partial(QuietHandler, directory=str(tmp_path / "site"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_exported_page_works_from_a_plain_file_server(static_site):
    requested, failed = [], []
    with chromium() as browser:
        page = browser.new_page(locale="en-US", viewport={"width": 1280, "height": 900})
        page.on("request", lambda request: requested.append(request.url))
        page.on("response", lambda r: r.status >= 400 and failed.append((r.status, r.url)))
        page.goto(static_site + "/index.html")
        assert page.locator("#page-status").inner_text().strip() == "Minor Service Outage"
        # The stylesheet applied: the skip link is moved out of sight until focused.
        assert page.locator(".skip-link").bounding_box()["y"] < 0
        screenshot(page, "static-export-overview")

        page.locator("article.card").get_by_role("link", name="Slow search responses").click()
        page.wait_for_url("**/incidents/*.html")
        assert page.locator("h1").inner_text() == "Slow search responses"

        page.get_by_role("navigation", name="Status page").get_by_role(
            "link", name="History"
        ).click()
        page.wait_for_url("**/history.html")
        page.get_by_role("link", name="Post-mortem").first.click()
        page.wait_for_url("**/incidents/*/postmortem.html")

        page.get_by_role("link", name="日本語").click()
        page.wait_for_url("**/ja/incidents/*/postmortem.html")
        assert page.locator("html").get_attribute("lang") == "ja"
        page.get_by_role("navigation").get_by_role("link", name="稼働率").click()
        page.wait_for_url("**/ja/uptime.html")
        assert page.locator("html").get_attribute("lang") == "ja"
        screenshot(page, "static-export-uptime-ja")

    assert failed == []
    assert {urlsplit(url).netloc for url in requested} == {urlsplit(static_site).netloc}
