"""The history page: incidents and maintenance by month of the page's zone, newest first, three
months per page."""

import pytest
import time_machine

from incidents import services
from tests.statuspage.page_data import NOW, component, past_incident, tokyo, tokyo_page
from tests.statuspage.page_html import parse

pytestmark = pytest.mark.django_db


@pytest.fixture
def page():
    with time_machine.travel(NOW, tick=False):
        tokyo_page()
        api = component("API", created_at=tokyo(1, 1).replace(year=2025))
        past_incident("Login errors", {api: "major_outage"}, tokyo(3, 6, 10), 60)
        # 00:30 on 1 March in Tokyo is still February in UTC.
        past_incident("Midnight blip", {api: "partial_outage"}, tokyo(3, 1, 0, 30), 20)
        past_incident("January trouble", {api: "partial_outage"}, tokyo(1, 15, 9), 30)
        past_incident(
            "November trouble", {api: "major_outage"}, tokyo(11, 20, 9).replace(year=2025), 30
        )
        yield api


def months(document):
    return [
        (
            month.find("h2").text(),
            [h.text() for h in month.find_all("h3")] or month.find("p", cls="empty").text(),
        )
        for month in document.find_all("section", cls="month")
        if "hidden" not in month.attrs  # the spare months, for another zone (day_groups)
    ]


def pager(document):
    return [(a.text(), a.attrs["href"]) for a in document.find("nav", cls="pager").find_all("a")]


def test_first_page_holds_this_month_and_the_two_before(client, page):
    document = parse(client.get("/history").content)

    assert document.find("h1").text() == "Incident history"
    assert months(document) == [
        ("March 2026", ["Login errors", "Midnight blip"]),
        ("February 2026", "No incidents reported this month."),
        ("January 2026", ["January trouble"]),
    ]
    assert pager(document) == [("Older →", "/history?page=2")]


def test_second_page_holds_the_three_months_before(client, page):
    document = parse(client.get("/history?page=2").content)

    assert months(document) == [
        ("December 2025", "No incidents reported this month."),
        ("November 2025", ["November trouble"]),
        ("October 2025", "No incidents reported this month."),
    ]
    assert pager(document) == [("← Newer", "/history")]


@pytest.mark.parametrize("query", ["?page=3", "?page=0", "?page=abc", "?page=-1"])
def test_pages_past_the_oldest_incident_or_not_numbers_are_404(client, page, query):
    response = client.get(f"/history{query}")

    assert response.status_code == 404
    assert parse(response.content).find("h1").text() == "Page not found"


def test_an_entry_shows_its_impact_times_and_updates(client, page):
    document = parse(client.get("/history").content)

    entry = document.find_all("article", cls="past-incident")[0]
    assert entry.attrs["class"] == "past-incident impact-major"
    assert entry.find("p", cls="meta").text() == (
        "Impact: Major 2026-03-06 10:00 JST – 2026-03-06 11:00 JST"
    )
    assert [li.find(cls="update-status").text() for li in entry.find_all("li")] == [
        "Resolved",
        "Identified",
        "Investigating",
    ]


def test_maintenance_shows_once_it_has_started(client, page):
    window = services.schedule_maintenance(
        name="Database upgrade",
        body="Upgrading.",
        scheduled_for=tokyo(3, 10, 11),
        scheduled_until=tokyo(3, 10, 14),
        components=[page],
    )
    services.schedule_maintenance(
        name="Later upgrade",
        body="Later.",
        scheduled_for=tokyo(3, 20, 11),
        scheduled_until=tokyo(3, 20, 14),
        components=[page],
    )
    services.start_maintenance(maintenance=window)

    document = parse(client.get("/history").content)

    assert months(document)[0] == (
        "March 2026",
        ["Database upgrade", "Login errors", "Midnight blip"],
    )
    entry = document.find_all("article", cls="past-incident")[0]
    assert entry.attrs["class"] == "past-incident kind-maintenance"
    assert entry.find("p", cls="meta").text() == "Scheduled maintenance 2026-03-10 12:00 JST"


def test_empty_page_has_one_page(client):
    with time_machine.travel(NOW, tick=False):
        tokyo_page()
        document = parse(client.get("/history").content)
        assert client.get("/history?page=2").status_code == 404

    assert [m[1] for m in months(document)] == ["No incidents reported this month."] * 3
    assert pager(document) == []
