"""The overview page: the roll-up in words and colour, what is happening now, components with
their 90-day bars, planned work and the last seven days."""

import pytest
import time_machine

from incidents import services
from incidents.changes import mark_page_changed
from incidents.choices import StatusChangeSource
from tests.factories import ComponentGroupFactory
from tests.statuspage.page_data import NOW, blip, component, past_incident, tokyo, tokyo_page
from tests.statuspage.page_html import parse

pytestmark = pytest.mark.django_db


@pytest.fixture
def page():
    with time_machine.travel(NOW, tick=False):
        tokyo_page()
        yield


def get(client, path="/"):
    response = client.get(path)
    assert response.status_code == 200
    return parse(response.content)


def section(document, heading_id):
    return document.find("section", **{"aria-labelledby": heading_id})


@pytest.mark.parametrize(
    ("status", "override", "indicator", "words"),
    [
        ("operational", "", "none", "All Systems Operational"),
        ("degraded_performance", "", "minor", "Minor Service Outage"),
        ("major_outage", "", "major", "Partial System Outage"),
        ("partial_outage", "critical", "critical", "Major System Outage"),
        ("under_maintenance", "", "maintenance", "Service Under Maintenance"),
    ],
)
def test_banner_states_the_rollup_in_words_and_colour(
    client, page, status, override, indicator, words
):
    api = component("API")
    if override:
        services.declare_incident(
            name="Outage", body="Down.", component_statuses={api: status}, impact_override=override
        )
    else:
        services.set_component_status(component=api, status=status, source=StatusChangeSource.API)

    banner = get(client).find("p", id="page-status")

    assert banner.attrs["class"] == f"banner b-{indicator}"
    assert banner.text() == words


def test_each_component_and_group_shows_its_status_in_words(client, page):
    platform = ComponentGroupFactory(name="Platform", position=1)
    data = ComponentGroupFactory(name="Data", position=2)
    component("API", group=platform, position=1, status="partial_outage")
    component("Web", group=platform, position=2)
    component("Database", group=data, position=1)
    component("Email", position=3, status="under_maintenance")

    document = get(client)

    rows = [
        (row.find(cls="name").text(), row.find(cls="status").text())
        for row in document.find_all("div", cls="row")
    ]
    assert rows == [
        ("API", "Partial outage"),
        ("Web", "Operational"),
        ("Database", "Operational"),
        ("Email", "Under maintenance"),
    ]
    groups = document.find_all("details", cls="group")
    assert [(g.find("summary").text(), "open" in g.attrs) for g in groups] == [
        ("Platform Partial outage", True),
        ("Data Operational", False),
    ]


def test_components_shown_only_when_degraded_are_hidden_while_operational(client, page):
    legacy = component("Legacy API", only_show_if_degraded=True)
    component("API")

    assert [n.text() for n in get(client).find_all(cls="name")] == ["API"]

    services.set_component_status(
        component=legacy, status="degraded_performance", source=StatusChangeSource.API
    )
    mark_page_changed()
    assert [n.text() for n in get(client).find_all(cls="name")] == ["Legacy API", "API"]


def test_components_without_showcase_have_no_bar(client, page):
    component("API", showcase=False)

    document = get(client)

    assert document.find_all("ol", cls="bar") == []
    assert document.find(cls="name").text() == "API"


def test_an_uptime_cell_tells_its_day_in_words(client, page):
    api = component("API")
    past_incident("Login errors", {api: "major_outage"}, tokyo(3, 6, 10), 60)
    blip(api, "partial_outage", tokyo(3, 6, 13), 30)

    uptime = get(client).find("div", cls="uptime")

    cells = uptime.find_all("li")
    assert len(cells) == 90
    march_6 = cells[85]
    assert march_6.attrs["class"] == "s-major_outage"
    assert march_6.attrs["aria-label"] == (
        "March 6, 2026\nMajor outage: 60 minutes\nPartial outage: 30 minutes\nRelated: Login errors"
    )
    assert "class" not in cells[84].attrs  # operational: the style sheet's default
    assert cells[84].attrs["aria-label"] == "March 5, 2026\nNo downtime recorded"
    assert cells[0].attrs["class"] == "s-none"  # before the component existed
    assert cells[0].attrs["aria-label"] == "Dec. 11, 2025\nNo data"
    # One Tab stop per bar, today; the arrow keys move to the other days (page.js).
    assert [n for n, cell in enumerate(cells) if "tabindex" in cell.attrs] == [89]
    # 68.5 days observed; 60 minutes down and 30 minutes at 0.3.
    assert uptime.find(cls="pct").text() == "99.93 % uptime"


def test_past_incidents_show_the_last_seven_days_day_by_day(client, page):
    api = component("API")
    past_incident("Login errors", {api: "major_outage"}, tokyo(3, 6, 10), 60)
    past_incident("Old trouble", {api: "partial_outage"}, tokyo(3, 1, 10), 30)

    past = section(get(client), "past-incidents")

    days = [
        (day.find("h3").text(), [h.text() for h in day.find_all("h4")] or day.find("p").text())
        for day in past.find_all("div", cls="past-day")
        if "hidden" not in day.attrs  # spare days, for another zone (day_groups)
    ]
    assert days == [
        ("March 10, 2026", "No incidents reported."),
        ("March 9, 2026", "No incidents reported."),
        ("March 8, 2026", "No incidents reported."),
        ("March 7, 2026", "No incidents reported."),
        ("March 6, 2026", ["Login errors"]),
        ("March 5, 2026", "No incidents reported."),
        ("March 4, 2026", "No incidents reported."),
    ]
    updates = past.find("ol", cls="updates").find_all("li")
    assert [u.text() for u in updates] == [
        "Resolved — This is resolved. 2026-03-06 11:00 JST",
        "Identified — We found the cause. 2026-03-06 10:30 JST",
        "Investigating — We are investigating. 2026-03-06 10:00 JST",
    ]


def test_an_active_incident_shows_its_latest_update_rendered(client, page):
    api = component("API")
    incident = services.declare_incident(
        name="Elevated errors", body="Investigating.", component_statuses={api: "major_outage"}
    )
    services.post_update(incident=incident, status="identified", body="The **database** is slow.")

    response = client.get("/")
    card = section(parse(response.content), "active-incidents").find("article")

    assert card.find("h3").text() == "Elevated errors"
    assert card.find("a").attrs["href"] == f"/incidents/{incident.public_id}"
    assert card.find_all("p", cls="meta")[0].text() == "Status: Identified Impact: Major"
    assert card.find("div", cls="body").text() == "Identified — The database is slow."
    assert b"The <strong>database</strong> is slow." in response.content
    assert card.find("div", cls="affected").text() == "Affected components: API"


def test_maintenance_in_progress_and_to_come(client, page):
    sms = component("SMS")
    window = services.schedule_maintenance(
        name="Gateway move",
        body="Moving.",
        scheduled_for=tokyo(3, 10, 11),
        scheduled_until=tokyo(3, 10, 14),
        components=[sms],
    )
    services.start_maintenance(maintenance=window)
    services.schedule_maintenance(
        name="Database upgrade",
        body="Upgrading.",
        scheduled_for=tokyo(3, 12, 1),
        scheduled_until=tokyo(3, 12, 3),
        components=[sms],
    )

    document = get(client)

    now = section(document, "maintenance-now").find("article")
    assert now.find("h3").text() == "Gateway move"
    assert now.find_all("p", cls="meta")[0].text() == "Status: In progress"
    later = section(document, "maintenance-upcoming").find("article")
    assert later.find("h3").text() == "Database upgrade"
    assert later.find_all("p")[1].text() == (
        "Scheduled for 2026-03-12 01:00 JST – 2026-03-12 03:00 JST"
    )
    assert document.find("p", id="page-status").text() == "Service Under Maintenance"


def test_links_to_subscribe_history_uptime_and_maintenance(client, page):
    component("API")

    document = get(client)

    links = [a.attrs["href"] for a in document.find("p", cls="links").find_all("a")]
    assert links == ["/history", "/uptime", "/maintenance", "/subscribe"]
    assert document.find("a", cls="button").attrs["href"] == "/subscribe"


def test_times_are_in_the_page_zone_with_its_abbreviation_and_offset(client, page):
    api = component("API")
    services.declare_incident(
        name="Elevated errors", body="Looking.", component_statuses={api: "major_outage"}
    )

    response = client.get("/")

    assert (
        b'<time datetime="2026-03-10T12:00+09:00" title="Asia/Tokyo (UTC+09:00)">'
        b"2026-03-10 12:00 JST</time>"
    ) in response.content
    assert b'<script src="/static/statuspage/page.js" defer></script>' in response.content
    footer_note = parse(response.content).find("p", id="time-zone-note")
    assert footer_note.text() == "Times are shown in Asia/Tokyo (UTC+09:00)."
    assert footer_note.attrs["data-visitor"] == "Times are shown in your time zone ({zone})."
