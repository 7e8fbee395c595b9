"""An on-call engineer's incident page and incident list in real headless Chromium, on a
desktop (1,280 × 800) and a phone (390 × 844): nothing wider than the window, the timeline
above the update form, the recovery actions and the list readable; a quick action fills the
form, and posting it puts the update at the top of the timeline. Screenshots are saved in the
test's tmp_path (docs/screenshots/console-incident-*.png are copies of them)."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command

from incidents import services
from incidents.models import Incident
from tests.chromium import chromium
from tests.console_client import ConsoleClient
from tests.e2e.migrated_rows import restore_migrated_rows
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
LONG_TITLES = (
    "Rebalance the search shards so that one reindex job can never take a whole node",
    "Alert when a search node's query latency stays above two seconds for five minutes",
)


@pytest.fixture
def console(live_server):
    """The demo page with two long recovery actions on its open incident, and the address
    and session cookie of an On-call member signed in with the second factor."""
    restore_migrated_rows()  # the roles: an earlier transactional test's flush took them
    oncall = UserFactory(username="oncall")
    oncall.groups.add(Group.objects.get(name="On-call"))
    call_command("seed_demo", verbosity=0)
    incident = Incident.objects.get(name="Slow search responses")
    for title in LONG_TITLES:
        services.create_recovery_action(
            incident=incident, title=title, kind="prevent", owner=oncall, actor=oncall
        )
    client = ConsoleClient()
    client.force_login(oncall)
    cookie = {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }
    return live_server.url, incident, cookie


def console_page(browser, cookie: dict, viewport: dict):
    context = browser.new_context(viewport=viewport, locale="en-US")
    context.add_cookies([cookie])
    page = context.new_page()
    page.refused = []  # what the page's Content-Security-Policy refused
    page.on(
        "console",
        lambda m: page.refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return page


def overflow(page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def top(page, selector: str) -> float:
    return page.locator(selector).first.bounding_box()["y"]


@pytest.mark.parametrize("name, viewport", [("desktop", DESKTOP), ("phone", PHONE)])
def test_the_incident_page_fits_and_reads_in_order(console, tmp_path, name, viewport):
    url, incident, cookie = console
    with chromium() as browser:
        page = console_page(browser, cookie, viewport)
        page.goto(f"{url}/admin/incidents/incident/{incident.pk}/change/")

        scroll_width, inner_width = overflow(page)
        assert scroll_width <= inner_width
        assert top(page, ".quick-actions") < top(page, "#timeline") < top(page, "#update-form")
        assert top(page, "#update-form") < top(page, "#recovery_actions-group")
        assert top(page, ".update-submit") < top(page, "#recovery_actions-group")
        assert top(page, "#recovery_actions-group") < top(page, ".incident-details")
        titles = page.locator("#recovery_actions-group tr.has_original td.field-title input")
        assert titles.evaluate_all("inputs => inputs.map(i => i.value)") == list(LONG_TITLES)
        if viewport is PHONE:
            # Each action a block: every field whole in the window, named above its input.
            fields = page.locator("#recovery_actions-group tr.has_original td[class*='field-']")
            cells = fields.evaluate_all(
                """cells => cells.map(cell => [cell.dataset.label || "",
                    Math.ceil(cell.querySelector("input, select, textarea, p")
                              .getBoundingClientRect().right)])"""
            )
            assert cells and all(name for name, _ in cells), cells
            assert max(right for _, right in cells) <= inner_width, cells
        assert page.refused == []
        page.screenshot(path=tmp_path / f"console-incident-{name}.png", full_page=True)


@pytest.mark.parametrize("name, viewport", [("desktop", DESKTOP), ("phone", PHONE)])
def test_the_incident_list_fits(console, tmp_path, name, viewport):
    url, _, cookie = console
    with chromium() as browser:
        page = console_page(browser, cookie, viewport)
        page.goto(f"{url}/admin/incidents/incident/")
        page.screenshot(path=tmp_path / f"console-incidents-{name}.png", full_page=True)

        scroll_width, inner_width = overflow(page)
        assert scroll_width <= inner_width
        if viewport is DESKTOP:
            # Every column within the list's box (none cut at its right edge), and no name
            # squeezed onto more than two lines.
            box = page.locator("#changelist-form .results").bounding_box()
            header = page.locator("#result_list th.column-resolved").bounding_box()
            assert header["x"] + header["width"] <= box["x"] + box["width"]
            lines = page.locator("#result_list .field-name a").evaluate_all(
                "links => links.map(link => link.getClientRects().length)"
            )
            assert max(lines) <= 2, lines
        assert page.refused == []


def test_a_quick_action_fills_the_form_and_posting_it_tops_the_timeline(console, tmp_path):
    url, incident, cookie = console
    with chromium() as browser:
        page = console_page(browser, cookie, DESKTOP)
        page.goto(f"{url}/admin/incidents/incident/{incident.pk}/change/")

        page.locator(".quick-actions").get_by_role("link", name="Monitoring").click()
        page.wait_for_url("**/change/?status=monitoring#update-form")
        assert page.locator("#id_update_status").input_value() == "monitoring"
        body = page.locator("#id_update_body").input_value()
        assert body.startswith("A fix has been deployed")  # the demo's template
        assert page.locator(".prefill-notice").is_visible()
        # The form scrolled into view: its message field is in the window.
        assert 0 <= page.locator("#id_update_body").bounding_box()["y"] < DESKTOP["height"]
        page.screenshot(path=tmp_path / "console-incident-quick-action.png")

        page.get_by_label("Notify subscribers").uncheck()  # no worker runs here
        page.get_by_role("button", name="Post update").click()
        page.wait_for_url(f"**/admin/incidents/incident/{incident.pk}/change/")

        newest = page.locator("#timeline tbody tr").first
        assert newest.locator(".timeline-status").inner_text() == "Monitoring"
        assert newest.locator(".timeline-body").first.inner_text() == body
        assert page.locator("#id_update_body").input_value() == ""  # not prefilled again
        quick = page.locator(".quick-actions a").all_inner_texts()
        assert quick == ["Identified", "Resolve"]
    incident.refresh_from_db()
    assert incident.status == "monitoring"
