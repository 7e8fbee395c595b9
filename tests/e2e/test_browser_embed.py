"""The status embed in a real headless Chromium, from another origin: a tiny customer page,
served by a server of the test on another 127.0.0.1 port under a strict CSP of its own,
includes Noroshi's /embed.js. The banner shows while an incident is open (in the customer
page's language), not while all is operational, appears without a reload when an incident
starts, and stays dismissed once closed.

Writes made while the browser is open run in a thread of their own (see test_browser_live)."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from incidents import services
from tests.chromium import chromium, screenshot
from tests.e2e.test_browser_live import WAIT_MS, write
from tests.statuspage.page_data import component, tokyo_page

pytestmark = pytest.mark.e2e

CUSTOMER_PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>Acme app</title></head>
<body><h1>Acme app</h1><p>Your dashboard.</p>
<script src="{noroshi}/embed.js" async></script>
</body></html>"""


class CustomerSite:
    """A site of another origin (127.0.0.1, a port of its own) serving one page, whose CSP
    allows no inline script or style and only Noroshi's script and connections."""

    def __init__(self, noroshi: str, lang: str):
        body = CUSTOMER_PAGE.format(lang=lang, noroshi=noroshi).encode()
        policy = f"default-src 'self'; script-src {noroshi}; connect-src {noroshi}"

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Security-Policy", policy)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def noroshi(live_server, settings):
    settings.NOROSHI_LIVE_SECONDS = 1  # the embed reads the summary every 2 s
    tokyo_page()
    return live_server.url


@pytest.fixture
def customer_site(noroshi):
    sites = []

    def open_site(lang: str = "en") -> CustomerSite:
        sites.append(CustomerSite(noroshi, lang))
        return sites[-1]

    yield open_site
    for site in sites:
        site.close()


def visit(browser, site: CustomerSite):
    """The customer page in a new tab, with console errors (CSP, CORS) recorded."""
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.problems = []
    page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    page.goto(site.url)
    return page


def wait_for_state(page, state: str) -> None:
    page.wait_for_selector(f"noroshi-status[data-state={state}]", state="attached", timeout=WAIT_MS)


def test_the_banner_shows_on_another_site_while_an_incident_is_open(noroshi, customer_site):
    api = component("API")
    incident = services.declare_incident(
        name="Login errors",
        body="We are looking into it.",
        component_statuses={api: "major_outage"},
        deliver_notifications=False,
    )
    site = customer_site()
    with chromium() as browser:
        page = visit(browser, site)
        wait_for_state(page, "active")

        banner = page.get_by_role("region", name="Hoshizora Cloud status")
        assert banner.is_visible()
        assert banner.locator("p").first.inner_text() == "Incident · Investigating"
        name = banner.get_by_role("link", name="Login errors")
        assert name.get_attribute("href") == f"{noroshi}/incidents/{incident.public_id}"
        assert banner.get_by_role("link", name="View the status page").get_attribute("href") == (
            f"{noroshi}/"
        )
        assert page.locator("h1").inner_text() == "Acme app"  # the host page is untouched
        assert page.problems == []
        screenshot(page, "embed-on-another-site")


def test_nothing_shows_while_all_is_operational(noroshi, customer_site):
    component("API")
    site = customer_site()
    with chromium() as browser:
        page = visit(browser, site)
        wait_for_state(page, "quiet")

        assert page.get_by_role("region").count() == 0
        assert page.locator("noroshi-status a").count() == 0
        assert page.problems == []


def test_an_incident_appears_without_reload_in_the_site_s_language_and_stays_dismissed(
    noroshi, customer_site
):
    api = component("API", name_ja="API（日本）")
    site = customer_site(lang="ja-JP")
    with chromium() as browser:
        page = visit(browser, site)
        wait_for_state(page, "quiet")
        page.evaluate("window.sameDocument = true")

        write(
            lambda: services.declare_incident(
                name="Login errors",
                name_ja="ログイン障害",
                body="Looking.",
                component_statuses={api: "major_outage"},
                deliver_notifications=False,
            )
        )
        wait_for_state(page, "active")
        banner = page.get_by_role("region", name="ホシゾラクラウドのステータス")
        assert banner.locator("p").first.inner_text() == "障害 · 調査中"
        assert banner.get_by_role("link").first.inner_text() == "ログイン障害"
        assert "lang=ja" in banner.get_by_role("link").first.get_attribute("href")
        assert page.evaluate("window.sameDocument") is True
        screenshot(page, "embed-on-another-site-ja")

        banner.get_by_role("button").click()
        assert page.get_by_role("region").count() == 0
        page.reload()
        wait_for_state(page, "active")
        assert page.get_by_role("region").count() == 0  # closed until something changes
        assert page.problems == []
