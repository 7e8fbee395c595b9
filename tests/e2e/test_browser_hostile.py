"""The hostile page (tests.security.hostile_page) in a real headless Chromium: every public page,
the subscriber's manage page, a new hostile incident arriving by the live update, and the embed
banner on another site. Every payload would set window.noroshiXss or open a dialog when it
ran; after each page has loaded, every element has been hovered and focused and the live
update has drawn, neither happened, and the page's CSP never had to refuse anything (no
injected script or handler even reached the browser)."""

import pytest
from django.utils import timezone

from incidents import services
from notify.models import Subscriber
from notify.signing import link_path
from tests.chromium import chromium
from tests.e2e.test_browser_embed import CustomerSite
from tests.e2e.test_browser_live import WAIT_MS, write
from tests.security.hostile_page import hostile_page
from tests.security.payloads import MARK, PAYLOADS

pytestmark = pytest.mark.e2e

TOUCH_EVERYTHING = """() => {
  for (const node of document.querySelectorAll("*")) {
    for (const type of ["mouseover", "mouseenter", "focus", "click"]) {
      if (type === "click" && node.closest("a, button, input, form")) continue;
      node.dispatchEvent(new Event(type, { bubbles: true }));
    }
  }
}"""


def open_page(browser, url: str):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.ran = []
    page.on("dialog", lambda dialog: (page.ran.append(dialog.message), dialog.dismiss()))
    page.on("console", lambda m: page.ran.append(m.text) if "Content Security" in m.text else None)
    page.on("pageerror", lambda error: page.ran.append(str(error)))
    page.goto(url)
    page.wait_for_load_state("load")
    return page


def assert_nothing_ran(page) -> None:
    page.evaluate(TOUCH_EVERYTHING)
    assert page.evaluate(f"typeof window.{MARK}") == "undefined", page.url
    assert page.ran == [], page.url


def test_no_payload_runs_in_a_browser(live_server, settings):
    settings.NOROSHI_LIVE_SECONDS = 1
    hostile = hostile_page()
    subscriber = Subscriber.objects.create(
        channel="email", address="ann@example.com", confirmed_at=timezone.now()
    )
    base = live_server.url
    first = hostile.incidents[0]
    paths = [
        "/",
        "/?lang=ja",
        f"/incidents/{first.public_id}",
        f"/incidents/{hostile.maintenance[1].public_id}?lang=ja",
        f"/incidents/{hostile.postmortem.incident.public_id}/postmortem",
        "/history",
        "/maintenance",
        "/uptime",
        f"/uptime/{hostile.components[0].public_id}",
        "/subscribe",
        link_path(subscriber, "manage"),
    ]
    site = CustomerSite(base, "en")
    try:
        with chromium() as browser:
            for path in paths:
                assert_nothing_ran(open_page(browser, base + path))

            overview = open_page(browser, base + "/")
            arriving = write(
                lambda: services.declare_incident(
                    name=PAYLOADS["img onerror"] + " arriving",
                    body=PAYLOADS["script"],
                    deliver_notifications=False,
                )
            )
            card = overview.locator(f'article[data-incident="{arriving.public_id}"]')
            card.wait_for(timeout=WAIT_MS)
            assert PAYLOADS["img onerror"] in card.inner_text()
            assert_nothing_ran(overview)

            embedded = open_page(browser, site.url)
            embedded.wait_for_selector(
                "noroshi-status[data-state=active]", state="attached", timeout=WAIT_MS
            )
            assert_nothing_ran(embedded)
    finally:
        site.close()
