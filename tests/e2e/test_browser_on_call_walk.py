"""Issue 14's acceptance, walked in real headless Chromium: an on-call engineer, from the
console home, declares an incident, posts an update with a typo, corrects it and resolves the
incident, each step's control within the first screen of its page; meanwhile a visitor with
the public page open sees the incident appear, its corrected text and its resolution, without
reloading. Screenshots of each step are saved in the test's tmp_path."""

import json
import re

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.core.management import call_command

from incidents.models import Component, Incident
from tests.chromium import chromium
from tests.console_client import ConsoleClient
from tests.e2e.migrated_rows import restore_migrated_rows
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREEN = {"width": 1280, "height": 800}
WAIT_MS = 15_000
NAME = "Webhook deliveries failing"
TYPO = "We have identifed the cause: a certificate expired on the delivery hosts."
FIXED = "We have identified the cause: a certificate expired on the delivery hosts."


@pytest.fixture
def walk(live_server, settings):
    """The demo page (its open incident keeps the public page live), polled every second,
    and the session cookie of an On-call member signed in with the second factor."""
    settings.NOROSHI_LIVE_SECONDS = 1
    restore_migrated_rows()  # the roles: an earlier transactional test's flush took them
    oncall = UserFactory(username="oncall")
    oncall.groups.add(Group.objects.get(name="On-call"))
    call_command("seed_demo", verbosity=0)
    client = ConsoleClient()
    client.force_login(oncall)
    cookie = {
        "name": django_settings.SESSION_COOKIE_NAME,
        "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }
    webhooks = Component.objects.get(name="Webhooks")
    return live_server.url, cookie, webhooks


# The page's main text without its "last updated" line, which moves with each poll, and what
# the polite live region last said (a reload says nothing).
READ_MAIN = """(() => {
    const region = document.querySelector("main [aria-live]");
    const said = region ? region.innerText.trim() : "";
    return document.querySelector("main").innerText.split("\\n")
        .filter(line => !/^Last updated/.test(line) && !(said && line.trim() === said))
        .join("\\n").trim();
})()"""


def main_text(page) -> str:
    return page.evaluate(READ_MAIN)


def in_first_screen(page, locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= SCREEN["height"]


def test_declare_update_correct_and_resolve_while_a_visitor_watches(walk, tmp_path):
    url, cookie, webhooks = walk
    with chromium() as browser:
        visitor = browser.new_page(viewport=SCREEN, locale="en-US")
        visitor.goto(f"{url}/")
        visitor.evaluate("window.notReloaded = true")

        context = browser.new_context(viewport=SCREEN, locale="en-US")
        context.add_cookies([cookie])
        console = context.new_page()
        console.set_default_timeout(WAIT_MS)
        console.goto(f"{url}/admin/")
        declare = console.get_by_role("link", name="Declare incident")
        assert in_first_screen(console, declare)
        console.screenshot(path=tmp_path / "1-home.png")

        # Declare: the name, the message, a component's status; nobody is notified here (no
        # worker runs in this test), then the incident's own page opens.
        declare.click()
        console.locator("#id_name").fill(NAME)
        console.locator("#id_body").fill("Webhook deliveries fail. We are investigating.")
        field = console.locator(f"select[name='component_{webhooks.pk}']")
        field.evaluate(
            "select => select.closest('details') && (select.closest('details').open = true)"
        )
        field.select_option("major_outage")
        console.get_by_label("Notify subscribers").uncheck()
        console.screenshot(path=tmp_path / "2-declare.png", full_page=True)
        console.get_by_role("button", name=re.compile("^Save$|^Declare")).first.click()
        console.wait_for_url(re.compile(r"/admin/incidents/incident/\d+/change/"))
        incident_url = console.url.split("#")[0]
        visitor.get_by_text(NAME).first.wait_for(timeout=WAIT_MS)

        # An update with a typo, from the form under the timeline.
        assert in_first_screen(console, console.locator(".quick-actions"))
        console.locator(".quick-actions").get_by_role("link", name="Identified").click()
        console.locator("#id_update_body").fill(TYPO)
        console.get_by_label("Notify subscribers").uncheck()
        console.get_by_role("button", name="Post update").click()
        console.wait_for_url(incident_url)
        visitor.get_by_text("identifed the cause").first.wait_for(timeout=WAIT_MS)

        # Correct it: the newest update's "Edit text", in the first screen of the page.
        edit = console.locator("#timeline tbody tr").first.get_by_role("link", name="Edit text")
        assert in_first_screen(console, edit)
        edit.click()
        console.locator("textarea[name='body']").fill(FIXED)
        console.get_by_role("button", name=re.compile("Save")).first.click()
        console.wait_for_url(incident_url)
        newest = console.locator("#timeline tbody tr").first
        assert newest.locator(".timeline-body").first.inner_text() == FIXED
        assert newest.locator(".update-edited").is_visible()
        visitor.get_by_text("identified the cause").first.wait_for(timeout=WAIT_MS)
        assert visitor.get_by_text("identifed the cause").count() == 0

        # Resolve with the quick action, prefilled from the team's template.
        console.locator(".quick-actions").get_by_role("link", name="Resolve").click()
        assert console.locator("#id_update_status").input_value() == "resolved"
        console.get_by_label("Notify subscribers").uncheck()
        console.get_by_role("button", name="Post update").click()
        console.wait_for_url(incident_url)
        console.screenshot(path=tmp_path / "3-resolved.png", full_page=True)

        # The visitor's page now reads as a reload would: the incident among the past ones,
        # resolved, and no longer active.
        fresh = browser.new_page(viewport=SCREEN, locale="en-US")
        fresh.goto(f"{url}/")
        assert NAME in fresh.locator("main").inner_text()
        expected = main_text(fresh)
        visitor.wait_for_function(f"() => {READ_MAIN} === {json.dumps(expected)}", timeout=WAIT_MS)
        visitor.screenshot(path=tmp_path / "4-visitor.png", full_page=True)
        assert visitor.evaluate("window.notReloaded") is True
    incident = Incident.objects.get(name=NAME)
    assert incident.status == "resolved"
    assert [u.body for u in incident.updates.order_by("id")][1] == FIXED
