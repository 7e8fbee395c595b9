"""The public page in a real headless Chromium: times rewritten into the visitor's zone, the
uptime cells' words on hover and on keyboard focus, the skip link, and the phone layout."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents import services
from tests.chromium import chromium
from tests.statuspage.page_data import blip, component, tokyo_page

pytestmark = pytest.mark.e2e


# The box and words of a bar day's tooltip, drawn by its ::after from its aria-label. A
# pseudo-element has no box of its own in the DOM, so it is worked out from the cell's box and
# the pseudo-element's computed width and anchoring (left: 0, right: 0, or centred).
DAY_TOOLTIP = """cell => {
  const tip = getComputedStyle(cell, "::after");
  const box = cell.getBoundingClientRect();
  const width = parseFloat(tip.width);
  let x = box.left + box.width / 2 - width / 2;
  if (tip.transform === "none" && tip.left === "0px") x = box.left;
  if (tip.transform === "none" && tip.right === "0px") x = box.right - width;
  return {text: tip.content, shown: tip.content !== "none" && width > 0, x: x, width: width};
}"""


def day_tooltip(cell) -> dict:
    return cell.evaluate(DAY_TOOLTIP)


@pytest.fixture
def browser(status_page):
    """Chromium, started after the data is written (see tests.chromium)."""
    with chromium() as launched:
        yield launched


@pytest.fixture
def status_page(live_server):
    tokyo_page()
    api = component("API", created_at=timezone.now() - timedelta(days=120))
    blip(api, "major_outage", timezone.now() - timedelta(days=3), 45)
    services.declare_incident(
        name="Slow search", body="Looking.", component_statuses={api: "degraded_performance"}
    )
    return live_server.url


def test_times_show_in_the_visitors_zone_with_the_page_zone_kept(status_page, browser):
    page = browser.new_page(timezone_id="Europe/Berlin", locale="en-GB")
    page.goto(status_page + "/")

    first = page.locator("main time").first
    page.wait_for_function("document.querySelector('main time').title.endsWith('JST')")
    assert first.get_attribute("title").endswith(" JST")
    assert first.inner_text().endswith(("CET", "CEST", "GMT+1", "GMT+2"))
    # The overview shows uptime days, which stay the page's days (page.js).
    assert page.locator("#time-zone-note").inner_text() == (
        "Times are shown in your time zone (Europe/Berlin); uptime days are days of "
        "Asia/Tokyo (UTC+09:00)."
    )


def test_uptime_cell_words_show_on_hover_and_on_keyboard_focus(status_page, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(status_page + "/")
    cells = page.locator("ol.bar li")
    outage = page.locator("ol.bar li.s-major_outage")

    assert not day_tooltip(outage)["shown"]
    outage.hover()
    tip = day_tooltip(outage)
    assert tip["shown"] and tip["width"] > 100
    assert "Major outage: 45 minutes" in tip["text"]

    page.mouse.move(0, 0)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('ol.bar li')"):
            break
    assert page.evaluate(
        "document.activeElement === document.querySelector('ol.bar li:last-child')"
    )
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    focused = page.locator("ol.bar li:focus")
    assert focused.get_attribute("class") == "s-major_outage"
    assert day_tooltip(focused)["width"] > 100
    assert cells.count() == 90


def test_phone_layout_shows_thirty_days_within_the_screen(status_page, browser):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(status_page + "/")

    visible = page.locator("ol.bar li:visible")
    assert visible.count() == 30
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for cell in (visible.first, visible.last):
        cell.hover()
        box = day_tooltip(cell)
        assert box["shown"]
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
