"""A visitor's walk through the demo page in real headless Chromium, in English and in Japanese:
the banner, a component's status, an uptime cell's label, and the way to an active incident.
Screenshots land in test-artifacts/."""

import pytest
from django.core.management import call_command

from incidents.models import Component
from tests.chromium import chromium, screenshot

pytestmark = pytest.mark.e2e


@pytest.fixture
def demo_page(live_server):
    call_command("seed_demo", verbosity=0)
    search = Component.objects.get(name="Search")
    return live_server.url, search.public_id


def component_status(page, name: str) -> str:
    row = page.locator(".component .row", has=page.locator(".name", has_text=name)).first
    return row.locator(".status").inner_text()


def test_overview_in_english(demo_page):
    url, _ = demo_page
    with chromium() as browser:
        page = browser.new_page(locale="en-US", viewport={"width": 1280, "height": 900})
        page.goto(url + "/")
        assert page.locator("#page-status").inner_text().strip() == "Minor Service Outage"
        assert component_status(page, "Search") == "Degraded performance"
        assert component_status(page, "Primary database") == "Operational"

        cell = page.locator("ol.bar > li").last
        cell.hover()
        assert cell.evaluate("c => getComputedStyle(c, '::after').content") == (
            '"' + cell.get_attribute("aria-label").replace("\n", "\\a ") + '"'
        )
        screenshot(page, "overview-en")

        # Keyboard: Tab reaches the Search bar's stop (today), an arrow moves to yesterday.
        search = page.locator(".component", has=page.locator(".name", has_text="Search"))
        for _ in range(60):
            page.keyboard.press("Tab")
            if search.locator("ol.bar > li:focus").count():
                break
        page.keyboard.press("ArrowLeft")
        focused = search.locator("ol.bar > li:focus")
        assert "\n" in focused.get_attribute("aria-label")
        assert focused.evaluate("c => getComputedStyle(c, '::after').content") != "none"

        page.locator("article.card").get_by_role("link", name="Slow search responses").click()
        page.wait_for_url("**/incidents/*")
        assert page.locator("h1").inner_text() == "Slow search responses"
        assert page.locator(".timeline li, ol li").count() >= 2
        screenshot(page, "incident-en")


def test_overview_in_japanese(demo_page):
    url, _ = demo_page
    with chromium() as browser:
        page = browser.new_page(locale="ja-JP", viewport={"width": 1280, "height": 900})
        page.goto(url + "/")
        assert page.locator("html").get_attribute("lang") == "ja"
        banner = page.locator("#page-status").inner_text().strip()
        assert banner == "一部のサービスで軽微な障害が発生しています"
        assert component_status(page, "検索") == "パフォーマンス低下"
        screenshot(page, "overview-ja")


def test_a_day_with_an_outage_names_it(demo_page):
    url, _ = demo_page
    with chromium() as browser:
        page = browser.new_page(locale="en-US")
        page.goto(url + "/")
        for summary in page.locator("details.group:not([open]) > summary").all():
            summary.click()  # operational groups start collapsed
        outage = page.locator("ol.bar > li.s-major_outage").first
        outage.hover()
        words = outage.evaluate("cell => getComputedStyle(cell, '::after').content")
        assert "Major outage:" in words
        assert "minutes" in words
