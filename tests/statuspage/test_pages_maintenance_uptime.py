"""The maintenance page (in progress, upcoming, recently completed) and the uptime calendars."""

import pytest
import time_machine

from incidents import services
from tests.factories import ComponentGroupFactory
from tests.statuspage.page_data import NOW, component, past_incident, tokyo, tokyo_page
from tests.statuspage.page_html import parse

pytestmark = pytest.mark.django_db


@pytest.fixture
def page():
    with time_machine.travel(NOW, tick=False):
        tokyo_page()
        yield


def names(section):
    return [h.text() for h in section.find_all("h3")] or section.find("p", cls="empty").text()


def test_maintenance_page_lists_windows_in_progress_upcoming_and_completed(client, page):
    sms = component("SMS")
    done = services.schedule_maintenance(
        name="Old window",
        body="Old.",
        scheduled_for=tokyo(3, 10, 9),
        scheduled_until=tokyo(3, 10, 13),
        components=[sms],
    )
    services.start_maintenance(maintenance=done)
    services.complete_maintenance(maintenance=done)
    running = services.schedule_maintenance(
        name="Gateway move",
        body="Moving.",
        scheduled_for=tokyo(3, 10, 11),
        scheduled_until=tokyo(3, 10, 14),
        components=[sms],
    )
    services.start_maintenance(maintenance=running)
    for name, day in (("Second upgrade", 20), ("First upgrade", 12)):
        services.schedule_maintenance(
            name=name,
            body="Planned.",
            scheduled_for=tokyo(3, day, 1),
            scheduled_until=tokyo(3, day, 3),
        )

    document = parse(client.get("/maintenance").content)

    sections = document.find("main").find_all("section")
    assert [(s.find("h2").text(), names(s)) for s in sections] == [
        ("In progress", ["Gateway move"]),
        ("Upcoming", ["First upgrade", "Second upgrade"]),
        ("Recently completed", ["Old window"]),
    ]
    completed = sections[2].find("article")
    assert completed.find_all("p", cls="meta")[0].text() == "Status: Completed"
    assert completed.find("div", cls="body").text() == (
        "Completed — The scheduled maintenance has been completed."
    )


def test_maintenance_page_says_when_there_is_none(client, page):
    document = parse(client.get("/maintenance").content)

    assert [names(s) for s in document.find("main").find_all("section")] == [
        "No maintenance is in progress.",
        "No maintenance is scheduled.",
        "No maintenance has been completed yet.",
    ]


@pytest.fixture
def uptime_page(page):
    platform = ComponentGroupFactory(name="Platform", position=1)
    hidden = component("Internal", showcase=False, position=0)
    component("Legacy", only_show_if_degraded=True, position=3)
    api = component("API", group=platform, position=1)
    web = component("Web", position=2, created_at=tokyo(2, 15))
    past_incident("Login errors", {api: "major_outage"}, tokyo(3, 6, 10), 60)
    return hidden, api, web


def calendars(document):
    return [
        (table.find("caption").text(), [td.text().split(" ")[0] for td in table.find_all("td")])
        for table in document.find_all("table", cls="calendar")
    ]


def test_uptime_shows_three_months_of_the_first_component_with_uptime(client, uptime_page):
    document = parse(client.get("/uptime").content)

    assert document.find("h1").text() == "Uptime — Platform › API"
    assert [(c, days[:7]) for c, days in calendars(document)] == [
        ("January 2026 100.00 % uptime", ["", "", "", "", "1", "2", "3"]),
        ("February 2026 100.00 % uptime", ["1", "2", "3", "4", "5", "6", "7"]),
        ("March 2026 99.56 % uptime", ["1", "2", "3", "4", "5", "6", "7"]),
    ]
    march = document.find_all("table", cls="calendar")[2]
    assert [th.text() for th in march.find_all("th")] == [
        "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat",
    ]  # fmt: skip
    days = march.find_all(cls="day")
    assert len(days) == 10  # up to today, the 10th
    assert days[5].attrs["class"] == "day s-major_outage"
    # The day of an incident links to that day's history of the component.
    assert (days[5].tag, days[5].attrs["href"]) == (
        "a",
        f"/history?day=2026-03-06&component={uptime_page[1].public_id}",
    )
    assert [d.tag for d in days if d is not days[5]] == ["span"] * 9
    assert days[5].find(cls="tip").text() == (
        "March 6, 2026 Major outage: 60 minutes Related: Login errors"
    )
    assert days[5].attrs["aria-labelledby"] == days[5].find(cls="tip").attrs["id"]


def test_uptime_picker_links_components_with_uptime_and_marks_the_chosen_one(client, uptime_page):
    _, api, web = uptime_page

    document = parse(client.get(f"/uptime/{web.public_id}").content)

    links = document.find("nav", cls="component-picker").find_all("a")
    assert [(a.text(), a.attrs["href"], a.attrs.get("aria-current")) for a in links] == [
        ("Platform › API", f"/uptime/{api.public_id}", None),
        ("Web", f"/uptime/{web.public_id}", "page"),
    ]
    assert [c for c, _ in calendars(document)] == [
        "January 2026 No data",
        "February 2026 100.00 % uptime",
        "March 2026 100.00 % uptime",
    ]


def test_uptime_of_an_unknown_or_unshowcased_component_is_404(client, uptime_page):
    hidden, _, _ = uptime_page

    assert client.get("/uptime/nosuchthing1").status_code == 404
    assert client.get(f"/uptime/{hidden.public_id}").status_code == 404


def test_uptime_without_components_says_so(client, page):
    document = parse(client.get("/uptime").content)

    assert document.find("p", cls="empty").text() == "No components to show yet."
