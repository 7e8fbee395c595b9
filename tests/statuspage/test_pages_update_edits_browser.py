"""A corrected update in a real headless Chromium: the "edited" mark is shown beside the update's
time, in English and Japanese, its time rewritten into the visitor's zone like the others, on
one line, within a phone's width, and without anything the page's CSP refuses."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents import services
from tests.chromium import chromium, screenshot
from tests.factories import UserFactory
from tests.statuspage.page_data import component, tokyo_page

pytestmark = pytest.mark.e2e


@pytest.fixture
def edited_incident(live_server):
    tokyo_page()
    api = component("API", created_at=timezone.now() - timedelta(days=10))
    incident = services.declare_incident(
        name="Login errors",
        name_ja="ログイン障害",
        body="We are investigating erors on sign-in.",
        body_ja="サインインのエラーを調査しています",
        component_statuses={api: "major_outage"},
    )
    services.edit_update_text(
        update=incident.updates.get(),
        body="We are investigating errors on sign-in.",
        body_ja="サインインのエラーを調査しています。",
        actor=UserFactory(username="oncall"),
    )
    services.post_update(incident=incident, status="identified", body="A bad deploy.")
    return f"{live_server.url}/incidents/{incident.public_id}"


@pytest.fixture
def browser(edited_incident):
    """Chromium, started after the data is written (see tests.chromium)."""
    with chromium() as launched:
        yield launched


@pytest.mark.parametrize(
    ("language", "locale", "word"), [("en", "en-GB", "edited"), ("ja", "ja-JP", "編集済み")]
)
@pytest.mark.parametrize("width", [1280, 390])
def test_the_edited_mark_reads_beside_the_update_s_time(
    edited_incident, browser, language, locale, word, width
):
    page = browser.new_page(
        viewport={"width": width, "height": 900}, timezone_id="Europe/Berlin", locale=locale
    )
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    page.goto(f"{edited_incident}?lang={language}")

    mark = page.locator(".timeline .edited")
    page.wait_for_function("document.querySelector('.edited time').title.endsWith('JST')")
    assert mark.count() == 1
    assert mark.is_visible()
    assert mark.inner_text().startswith(f"{word} ")
    assert mark.inner_text().endswith(("CET", "CEST", "GMT+1", "GMT+2", "中央ヨーロッパ標準時"))
    box = mark.bounding_box()
    assert box is not None and box["height"] < 30  # one line
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert refused == []
    screenshot(page, f"update-edited-{language}-{width}")
