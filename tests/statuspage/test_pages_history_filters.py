"""The history for one component (?component=), for one day of the page's zone (?day=, where an
uptime day links to), and long timelines folded to their first and last updates: plain forms,
links and <details>, so all of it works without JavaScript; only values that name something
are answered, so the cached variants stay few."""

from datetime import timedelta

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
        web = component("Web", created_at=tokyo(1, 1).replace(year=2025))
        past_incident("Login errors", {api: "major_outage"}, tokyo(3, 6, 10), 60)
        past_incident("Slow pages", {web: "partial_outage"}, tokyo(3, 6, 23, 30), 60)
        past_incident("Web in January", {web: "partial_outage"}, tokyo(1, 15, 9), 30)
        past_incident(
            "API last autumn", {api: "major_outage"}, tokyo(10, 20, 9).replace(year=2025), 30
        )
        yield api, web


def shown_months(document):
    return [
        (section.find("h2").text(), [h.text() for h in section.find_all("h3")])
        for section in document.find_all("section", cls="month")
        if "hidden" not in section.attrs
    ]


def pager(document):
    return [(a.text(), a.attrs["href"]) for a in document.find("nav", cls="pager").find_all("a")]


def test_the_form_lists_every_component_and_works_without_javascript(client, page):
    api, web = page
    document = parse(client.get(f"/history?component={web.public_id}").content)

    form = document.find("form", cls="history-filter")
    assert (form.attrs["method"], form.attrs["action"]) == ("get", "/history")
    options = [(o.attrs["value"], o.text(), "selected" in o.attrs) for o in form.find_all("option")]
    assert options == [
        ("", "All components", False),
        (api.public_id, "API", False),
        (web.public_id, "Web", True),
    ]
    assert document.find("title").text() == "Incident history — Web · Hoshizora Cloud"


def test_one_component_s_history_lists_only_its_incidents_and_pages_with_it(client, page):
    api, _ = page
    with time_machine.travel(NOW, tick=False):
        first = parse(client.get(f"/history?component={api.public_id}").content)
        second = parse(client.get(f"/history?component={api.public_id}&page=2").content)
        # API's oldest incident is in October: a third page would be past it.
        third = client.get(f"/history?component={api.public_id}&page=3")

    assert shown_months(first) == [
        ("March 2026", ["Login errors"]),
        ("February 2026", []),
        ("January 2026", []),
    ]
    assert pager(first) == [("Older →", f"/history?page=2&component={api.public_id}")]
    assert shown_months(second)[2] == ("October 2025", ["API last autumn"])
    assert pager(second) == [("← Newer", f"/history?component={api.public_id}")]
    assert third.status_code == 404


def test_all_components_is_the_whole_history(client, page):
    with time_machine.travel(NOW, tick=False):
        document = parse(client.get("/history?component=").content)

    assert shown_months(document)[0] == ("March 2026", ["Slow pages", "Login errors"])


@pytest.mark.parametrize("value", ["nosuchthing1", "API"])
def test_a_component_the_page_does_not_have_is_404(client, page, value):
    assert client.get(f"/history?component={value}").status_code == 404


def test_a_day_lists_what_was_open_then_in_the_page_s_zone(client, page):
    with time_machine.travel(NOW, tick=False):
        document = parse(client.get("/history?day=2026-03-07").content)

    # "Slow pages" ran from 23:30 on the 6th to 00:30 on the 7th (Tokyo): open on both days.
    section = document.find("section", cls="day-history")
    assert section.find("h2").text() == "March 7, 2026 (Asia/Tokyo)"
    assert [h.text() for h in section.find_all("h3")] == ["Slow pages"]
    assert pager(document) == [
        ("← Previous day", "/history?day=2026-03-06"),
        ("All months", "/history"),
        ("Next day →", "/history?day=2026-03-08"),
    ]


def test_a_day_of_one_component_is_what_its_uptime_day_names(client, page):
    api, _ = page
    with time_machine.travel(NOW, tick=False):
        both = parse(client.get("/history?day=2026-03-06").content)
        of_api = parse(client.get(f"/history?day=2026-03-06&component={api.public_id}").content)

    assert [h.text() for h in both.find_all("h3")] == ["Slow pages", "Login errors"]
    assert [h.text() for h in of_api.find_all("h3")] == ["Login errors"]
    form = of_api.find("form", cls="history-filter")
    assert form.find("input", name="day").attrs["value"] == "2026-03-06"


def test_a_day_without_incidents_says_so_and_today_has_no_next_day(client, page):
    with time_machine.travel(NOW, tick=False):
        document = parse(client.get("/history?day=2026-03-10").content)

    assert document.find("section", cls="day-history").find("p", cls="empty").text() == (
        "No incidents reported."
    )
    assert [text for text, _ in pager(document)] == ["← Previous day", "All months"]


@pytest.mark.parametrize(
    "query",
    [
        "day=2026-03-11",  # tomorrow
        "day=2025-10-19",  # before the oldest incident
        "day=2026-3-6",  # not written the one way
        "day=2026-02-30",
        "day=yesterday",
        "day=",
        "day=2026-03-06&page=2",
    ],
)
def test_a_day_that_is_not_one_of_the_history_s_is_404(client, page, query):
    with time_machine.travel(NOW, tick=False):
        assert client.get(f"/history?{query}").status_code == 404


def long_incident(name, target, start):
    """A resolved incident of five updates: investigating, three notes, resolved."""
    incident = services.declare_incident(
        name=name,
        body="Looking.",
        component_statuses={target: "major_outage"},
        started_at=start,
        backfilled=True,
        deliver_notifications=False,
    )
    for n in range(1, 4):
        services.post_update(
            incident=incident,
            status="identified",
            body=f"Still working, part {n}.",
            display_at=start + timedelta(minutes=10 * n),
        )
    services.resolve_incident(
        incident=incident, body="Fixed.", display_at=start + timedelta(hours=1)
    )


def test_a_long_timeline_is_folded_to_its_first_and_last_updates(client, page):
    api, _ = page
    with time_machine.travel(NOW, tick=False):
        long_incident("Long outage", api, tokyo(3, 8, 9))
        document = parse(client.get("/history").content)

    entry = document.find_all("article", cls="past-incident")[0]
    assert entry.find("h3").text() == "Long outage"
    timeline = entry.find_all("ol", cls="updates")[0]
    in_view = [li for li in timeline.children if not isinstance(li, str)]
    assert [li.attrs.get("class") for li in in_view] == [
        "body inline-first",
        "folded",
        "body inline-first",
    ]
    assert in_view[0].text().startswith("Resolved — Fixed.")
    assert in_view[2].text().startswith("Investigating — Looking.")
    folded = in_view[1].find("details")
    assert folded.find("summary").text() == "Show 3 more updates"
    assert [li.find("p").text() for li in folded.find_all("li")] == [
        "Still working, part 3.",
        "Still working, part 2.",
        "Still working, part 1.",
    ]
    # Three updates are not a long timeline.
    short = document.find_all("article", cls="past-incident")[1]
    assert short.find_all("details") == []
    assert len(short.find_all("li")) == 3


def test_the_overview_keeps_whole_timelines(client, page):
    api, _ = page
    with time_machine.travel(NOW, tick=False):
        long_incident("Busy day", api, tokyo(3, 9, 9))
        document = parse(client.get("/").content)

    entry = next(
        a for a in document.find_all("article", cls="past-incident") if "Busy day" in a.text()
    )
    assert entry.find_all("details") == []
    assert len(entry.find_all("li")) == 5


def test_entries_carry_their_start_and_months_their_keys_for_the_visitor_s_zone(client, page):
    with time_machine.travel(NOW, tick=False):
        document = parse(client.get("/history").content)

    months = document.find("div", **{"data-regroup": "month"}).find_all("section", cls="month")
    assert [(m.attrs["data-group"], "hidden" in m.attrs) for m in months] == [
        ("2026-04", True),
        ("2026-03", False),
        ("2026-02", False),
        ("2026-01", False),
        ("2025-12", True),
    ]
    entry = months[1].find_all("article")[0]
    assert entry.attrs["data-at"] == "2026-03-06T14:30:00+00:00"  # 23:30 in Tokyo
