"""The live page in a real headless Chromium: with the overview (or an incident's page) open,
changes written through the services appear in place without a reload — a component's
status, a new update, a new incident, the resolution — exactly as a reload shows them (Markdown
rendered and sanitised, links, the page's language, times in the visitor's zone), said through
the polite live region, with the focus and the scroll position kept; polling stops once
nothing is active; every request after the first is conditional and answered 304 while
nothing changed. (Pausing in a hidden tab and backing off after errors:
test_browser_live_polling.py.)

The test writes while the browser is open: Playwright's sync API runs an event loop in this
thread, beside which Django refuses database calls, so each write runs in a thread of its own.
"""

import re
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
from django.db import connection, transaction

from incidents import services
from tests.chromium import chromium, screenshot
from tests.statuspage.page_data import component, tokyo_page

pytestmark = pytest.mark.e2e

WAIT_MS = 15_000


def write(action):
    """Run `action` (database writes) in a thread without an event loop, and wait for it."""

    def run():
        try:
            return action()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


@pytest.fixture
def open_incident(live_server, settings):
    settings.NOROSHI_LIVE_SECONDS = 1
    tokyo_page()
    api, web = component("API", position=1), component("Web", position=2)
    incident = services.declare_incident(
        name="Login errors",
        name_ja="ログイン障害",
        body="We are looking into it.",
        component_statuses={api: "major_outage"},
        deliver_notifications=False,
    )
    return SimpleNamespace(url=live_server.url, api=api, web=web, incident=incident)


@pytest.fixture
def browser(open_incident):
    """Chromium, started after the data is written (see tests.chromium)."""
    with chromium() as launched:
        yield launched


def watched_page(browser, **options):
    """A new page that records the CSP's refusals and the summary.json exchanges."""
    page = browser.new_page(viewport={"width": 1280, "height": 900}, **options)
    page.refused = []
    page.summaries = []
    page.renderers = []
    page.on(
        "request",
        lambda r: page.renderers.append(r) if r.url.endswith("/live-render.js") else None,
    )
    page.on(
        "console",
        lambda m: page.refused.append(m.text) if "Content Security" in m.text else None,
    )
    page.on(
        "response",
        lambda r: page.summaries.append(r) if "/api/v2/summary.json" in r.url else None,
    )
    return page


def markup(html: str) -> str:
    # Whitespace between tags is left where a part was taken out; it shows nothing.
    return re.sub(r">\s+<", "><", html).strip()


def shown_html(page, selector: str) -> str:
    return markup(page.locator(selector).first.inner_html())


def reloaded_html(browser, page, selector: str) -> str:
    """The inner HTML of `selector` in a fresh load of `page`'s address, in its zone and
    language: what a reload shows, for comparing with what appeared in place."""
    again = browser.new_page(
        viewport={"width": 1280, "height": 900},
        timezone_id=page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone"),
        locale=page.evaluate("navigator.language"),
    )
    again.goto(page.url)
    html = shown_html(again, selector)
    again.close()
    return html


def wait_for_text(page, selector: str, text: str) -> None:
    page.wait_for_function(
        "([selector, text]) => { const n = document.querySelector(selector);"
        " return n !== null && n.textContent.trim() === text; }",
        arg=[selector, text],
        timeout=WAIT_MS,
    )


def status_of(page, component) -> str:
    return page.locator(f'[data-component="{component.public_id}"] .status').first.inner_text()


def test_the_overview_follows_an_incident_to_its_end_without_a_reload(open_incident, browser):
    o = open_incident
    page = watched_page(browser, timezone_id="Europe/Berlin", locale="en-GB")
    page.goto(o.url + "/")
    page.evaluate("window.sameDocument = true")  # gone if the page were ever reloaded
    assert page.locator("html").get_attribute("data-live") == "polling"
    assert status_of(page, o.web) == "Operational"
    assert page.locator("#live-news").get_attribute("aria-live") == "polite"
    # The focus on the card's link, and the components at the top of the window.
    card = page.locator(f'article[data-incident="{o.incident.public_id}"]')
    card.get_by_role("link").focus()
    page.evaluate("window.focusedBefore = document.activeElement")
    page.locator("#components-heading").evaluate("h => window.scrollTo(0, h.offsetTop)")
    components_top = page.locator("#components-heading").bounding_box()["y"]

    write(
        lambda: services.post_update(
            incident=o.incident,
            status="identified",
            body="A bad deploy. **Rolling back** now.\n\nSee [the release](https://example.com/r).",
            component_statuses={o.web: "degraded_performance"},
            deliver_notifications=False,
        )
    )
    wait_for_text(page, f'[data-component="{o.web.public_id}"] .status', "Degraded performance")
    assert card.locator(".update-status").inner_text() == "Identified"
    assert card.locator(".body p").all_inner_texts() == [
        "A bad deploy. Rolling back now.",
        "See the release.",
    ]
    assert card.locator(".body strong").inner_text() == "Rolling back"
    link = card.locator(".body a")
    assert (link.inner_text(), link.get_attribute("href")) == (
        "the release",
        "https://example.com/r",
    )
    assert card.locator(".meta span").first.inner_text() == "Status: Identified"
    posted = card.locator("p.meta time")
    assert posted.get_attribute("title").endswith(" JST")
    assert posted.inner_text().endswith(("CET", "CEST", "GMT+1", "GMT+2"))
    assert card.locator(".affected li").all_inner_texts() == ["API", "Web"]
    said = page.locator("#live-news").inner_text()
    assert "Web: Degraded performance" in said
    assert "Login errors: Identified" in said
    card_selector = f'article[data-incident="{o.incident.public_id}"]'
    assert shown_html(page, card_selector) == reloaded_html(browser, page, card_selector)
    components = "#main .components"
    assert shown_html(page, components) == reloaded_html(browser, page, components)
    # The card was written anew: the focus moved to its new link, and the window kept its place.
    assert page.evaluate(
        "card => document.activeElement !== window.focusedBefore"
        " && document.activeElement === document.querySelector(card + ' h3 a')",
        card_selector,
    )
    # (Within a pixel: the browser's scroll anchoring works in fractions of one.)
    assert abs(page.locator("#components-heading").bounding_box()["y"] - components_top) < 1
    # A part that did not change keeps its elements, and the focus with them.
    history = page.locator("p.links a").first
    history.focus()
    page.evaluate("window.focusedBefore = document.activeElement")

    second = write(
        lambda: services.declare_incident(
            name="Slow search", body="Investigating.", deliver_notifications=False
        )
    )
    new_card = page.locator(f'article[data-incident="{second.public_id}"]')
    new_card.wait_for(timeout=WAIT_MS)
    assert new_card.get_by_role("link").inner_text() == "Slow search"
    assert new_card.get_by_role("link").get_attribute("href") == f"/incidents/{second.public_id}"
    assert page.locator("[data-cards=incidents] article").count() == 2
    assert page.evaluate("document.activeElement === window.focusedBefore")
    screenshot(page, "live-overview-two-incidents")

    def resolve_both():
        # In one transaction: no poll sees one resolved and the other not.
        with transaction.atomic():
            services.resolve_incident(incident=o.incident, body="Fixed.")
            services.resolve_incident(incident=second, body="Fixed.")

    write(resolve_both)
    wait_for_text(page, "#page-status", "All Systems Operational")
    page.wait_for_selector("html[data-live=stopped]", state="attached", timeout=WAIT_MS)
    assert page.locator("#page-status").get_attribute("class") == "banner b-none"
    assert page.locator("[data-cards=incidents]").is_hidden()
    assert status_of(page, o.api) == "Operational"
    assert status_of(page, o.web) == "Operational"
    said = page.locator("#live-news").inner_text()
    assert said.startswith("All Systems Operational ")
    assert "Login errors: Resolved" in said
    assert "Slow search: Resolved" in said
    assert page.evaluate("window.sameDocument") is True
    assert len(page.renderers) == 1
    assert page.refused == []
    screenshot(page, "live-overview-resolved")


def test_requests_after_the_first_are_conditional_and_answered_304(open_incident, browser):
    page = watched_page(browser)
    page.goto(open_incident.url + "/")
    for _ in range(3):
        with page.expect_response(lambda r: "/api/v2/summary.json" in r.url, timeout=WAIT_MS):
            pass

    first, *later = page.summaries[:3]
    assert first.status == 200
    assert "if-none-match" not in first.request.headers
    assert [r.status for r in later] == [304, 304]
    assert [r.request.headers["if-none-match"] for r in later] == [first.headers["etag"]] * 2
    # The first answer matched what the page showed: nothing was announced, and the renderer
    # was never fetched.
    assert page.locator("#live-news").inner_text() == ""
    assert page.renderers == []


def test_an_open_incident_s_page_follows_it_in_japanese(open_incident, django_user_model, browser):
    o = open_incident
    page = watched_page(browser, locale="ja-JP", timezone_id="Asia/Tokyo")
    page.goto(f"{o.url}/incidents/{o.incident.public_id}?lang=ja")
    page.evaluate("window.sameDocument = true")
    assert page.locator(".timeline > li").count() == 1

    update = write(
        lambda: services.post_update(
            incident=o.incident,
            status="monitoring",
            body="We rolled back.",
            body_ja="**切り戻し**ました。[リリースノート](https://example.com/r)",
            component_statuses={o.api: "degraded_performance"},
            deliver_notifications=False,
        )
    )
    entry = page.locator(f'.timeline article[data-update="{update.public_id}"]')
    entry.wait_for(timeout=WAIT_MS)
    assert page.locator(".timeline > li").first.locator("article").get_attribute("data-update") == (
        update.public_id
    )
    assert entry.locator("h3").inner_text() == "経過観察中"
    assert entry.locator(".body").inner_text() == "切り戻しました。リリースノート"
    assert entry.locator(".body strong").inner_text() == "切り戻し"
    assert entry.locator(".body a").get_attribute("href") == "https://example.com/r"
    incident = "article[data-incident]"
    assert shown_html(page, incident) == reloaded_html(browser, page, incident)
    assert entry.locator(".changes li").all_inner_texts() == [
        "API: 重大な障害 → パフォーマンス低下"
    ]
    assert entry.locator("time").inner_text().endswith("JST")
    assert page.locator("#incident-status").inner_text() == "経過観察中"
    said = page.locator("#live-news").inner_text()
    assert "ログイン障害" in said and "経過観察中" in said
    assert all("lang=ja" in r.url for r in page.summaries)

    first = write(lambda: o.incident.updates.get(status="investigating"))
    # A user of its own: live_server's flushes take the migrations' groups (the oncall fixture).
    editor = write(lambda: django_user_model.objects.create_user("editor"))
    write(
        lambda: services.edit_update_text(
            update=first, body_ja="*ログイン*を調査しています。", actor=editor
        )
    )
    corrected = page.locator(f'.timeline article[data-update="{first.public_id}"]')
    corrected.locator(".edited").wait_for(timeout=WAIT_MS)
    assert corrected.locator(".body em").inner_text() == "ログイン"
    assert corrected.locator(".edited time").inner_text().endswith("JST")
    assert shown_html(page, incident) == reloaded_html(browser, page, incident)

    write(
        lambda: services.resolve_incident(
            incident=o.incident, body="Fixed.", body_ja="復旧しました。"
        )
    )
    wait_for_text(page, "#incident-status", "解決済み")
    page.wait_for_selector("html[data-live=stopped]", state="attached", timeout=WAIT_MS)
    facts = page.locator("dl.facts")
    assert facts.locator("dt").all_inner_texts()[-2:] == ["解決済み", "影響を受けたコンポーネント"]
    assert page.locator(".subscribe-link").count() == 0
    assert page.locator(".timeline > li").count() == 3
    assert page.locator(".timeline h3").first.inner_text() == "解決済み"
    assert page.evaluate("window.sameDocument") is True
    assert shown_html(page, "#main .wrap") == reloaded_html(browser, page, "#main .wrap")
    assert page.refused == []
    screenshot(page, "live-incident-resolved-ja")


def test_a_component_the_page_did_not_show_appears_in_place(open_incident, browser):
    o = open_incident
    hidden = write(lambda: component("Legacy API", position=3, only_show_if_degraded=True))
    page = watched_page(browser)
    page.goto(o.url + "/")
    page.evaluate("window.sameDocument = true")
    assert page.locator(f'[data-component="{hidden.public_id}"]').count() == 0

    write(
        lambda: services.post_update(
            incident=o.incident,
            status="identified",
            body="Legacy clients too.",
            component_statuses={hidden: "partial_outage"},
            deliver_notifications=False,
        )
    )
    wait_for_text(page, f'[data-component="{hidden.public_id}"] .status', "Partial outage")
    assert page.locator(".components > li").count() == 3
    assert "Legacy API: Partial outage" in page.locator("#live-news").inner_text()
    assert page.evaluate("window.sameDocument") is True
    assert page.refused == []
