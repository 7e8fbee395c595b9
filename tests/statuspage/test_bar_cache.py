"""The overview keeps its rendered 90-day bars between page versions: an update that changes
no status reuses them, and anything a bar shows — a status change, a backfilled outage, an
incident renamed, the language — gives it a new key, so no bar is ever stale."""

import pytest
import time_machine

from incidents import services
from incidents.changes import mark_page_changed
from incidents.choices import StatusChangeSource
from tests.statuspage.page_data import NOW, blip, component, past_incident, tokyo, tokyo_page
from tests.statuspage.page_html import parse

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page():
    with time_machine.travel(NOW, tick=False):
        tokyo_page()
        yield


def cells(client, path="/"):
    mark_page_changed()
    document = parse(client.get(path).content)
    return document.find("div", cls="uptime").find_all("li")


def test_a_status_change_shows_at_once(client):
    api = component("API")
    assert cells(client)[89].attrs.get("class") is None

    with time_machine.travel(NOW.replace(second=10), tick=False):
        services.set_component_status(
            component=api, status="major_outage", source=StatusChangeSource.API
        )
    with time_machine.travel(NOW.replace(second=50), tick=False):  # the same minute
        today = cells(client)[89]

    assert today.attrs["class"] == "s-major_outage"


def test_a_backfilled_outage_shows_at_once(client):
    api = component("API")
    assert cells(client)[80].attrs.get("class") is None

    blip(api, "partial_outage", tokyo(3, 1, 10), 30)

    day = cells(client)[80]
    assert day.attrs["class"] == "s-partial_outage"
    assert "Partial outage: 30 minutes" in day.attrs["aria-label"]


def test_a_renamed_incident_is_named_anew(client):
    api = component("API")
    incident = past_incident("Login errors", {api: "major_outage"}, tokyo(3, 6, 10), 60)
    assert "Related: Login errors" in cells(client)[85].attrs["aria-label"]

    services.edit_incident(incident=incident, name="Sign-in errors")

    assert "Related: Sign-in errors" in cells(client)[85].attrs["aria-label"]


def test_each_language_has_its_own_bars(client):
    component("API")

    english = cells(client)[89].attrs["aria-label"]
    japanese = cells(client, "/?lang=ja")[89].attrs["aria-label"]

    assert english == "March 10, 2026\nNo downtime recorded"
    assert japanese.startswith("2026年3月10日\n")
    assert japanese != english


def test_the_minutes_of_an_ongoing_outage_keep_counting(client):
    api = component("API")
    services.set_component_status(
        component=api, status="major_outage", source=StatusChangeSource.API
    )
    first = cells(client)[89].attrs["aria-label"]

    with time_machine.travel(NOW.replace(minute=20), tick=False):
        later = cells(client)[89].attrs["aria-label"]

    assert "Major outage: 0 minutes" not in later
    assert first != later
