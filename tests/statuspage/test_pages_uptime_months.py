"""The uptime calendars move by three months (?month=YYYY-MM names the newest shown), back to
the month the component's status history starts and up to this month; and a day with
incidents, on the calendars and on the overview's bars, links to that day's history."""

import pytest
import time_machine

from tests.statuspage.page_data import NOW, component, past_incident, tokyo, tokyo_page
from tests.statuspage.page_html import parse

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    with time_machine.travel(NOW, tick=False):
        tokyo_page()
        # The history starts in August 2025: three pages of calendars from March 2026.
        made = component("API", created_at=tokyo(8, 20).replace(year=2025))
        past_incident(
            "Autumn outage", {made: "major_outage"}, tokyo(10, 3, 9).replace(year=2025), 90
        )
        past_incident("Login errors", {made: "major_outage"}, tokyo(3, 6, 10), 60)
        yield made


def get(client, url):
    with time_machine.travel(NOW, tick=False):
        return client.get(url)


def captions(document):
    return [
        " ".join(t.find("caption").text().split())
        for t in document.find_all("table", cls="calendar")
    ]


def pager(document):
    return [(a.text(), a.attrs["href"]) for a in document.find("nav", cls="pager").find_all("a")]


def test_the_first_page_is_the_last_three_months_with_a_way_back(client, api):
    document = parse(get(client, "/uptime").content)

    assert [c.split(" ")[0:2] for c in captions(document)] == [
        ["January", "2026"],
        ["February", "2026"],
        ["March", "2026"],
    ]
    assert pager(document) == [
        ("← Earlier months", f"/uptime/{api.public_id}?month=2025-12"),
    ]


def test_earlier_months_go_back_to_where_the_history_starts(client, api):
    middle = parse(get(client, f"/uptime/{api.public_id}?month=2025-12").content)
    oldest = parse(get(client, f"/uptime/{api.public_id}?month=2025-09").content)

    assert captions(middle) == [
        "October 2025 99.79 % uptime",  # 90 minutes of 31 days: 99.798 %, cut
        "November 2025 100.00 % uptime",
        "December 2025 100.00 % uptime",
    ]
    assert pager(middle) == [
        ("← Earlier months", f"/uptime/{api.public_id}?month=2025-09"),
        ("Later months →", f"/uptime/{api.public_id}?month=2026-03"),
    ]
    assert captions(oldest)[0] == "July 2025 No data"
    assert pager(oldest) == [("Later months →", f"/uptime/{api.public_id}?month=2025-12")]


@pytest.mark.parametrize("month", ["2025-07", "2026-04", "2025-7", "2025-13", "soon", ""])
def test_a_month_outside_the_history_is_404(client, api, month):
    assert get(client, f"/uptime/{api.public_id}?month={month}").status_code == 404


def test_a_calendar_day_with_incidents_links_to_that_day_s_history(client, api):
    document = parse(get(client, f"/uptime/{api.public_id}?month=2025-12").content)

    links = [a for a in document.find_all("a", cls="day")]
    assert [(a.text().split(" ")[0], a.attrs["href"]) for a in links] == [
        ("3", f"/history?day=2025-10-03&component={api.public_id}"),
    ]
    history = parse(get(client, links[0].attrs["href"]).content)
    assert [h.text() for h in history.find_all("h3")] == ["Autumn outage"]


def test_a_bar_day_with_incidents_holds_a_link_to_that_day_s_history(client, api):
    document = parse(get(client, "/").content)

    cells = document.find("ol", cls="bar").find_all("li")
    linked = [(n, li.find("a")) for n, li in enumerate(cells) if li.find_all("a")]
    assert [(n, a.attrs["href"], a.attrs["tabindex"]) for n, a in linked] == [
        (85, f"/history?component={api.public_id}&day=2026-03-06&lang=en", "-1"),
    ]
    assert linked[0][1].attrs["aria-label"] == "The incidents of March 6, 2026"
    # A bar is kept per language: its links name it, however the visitor chose it.
    japanese = parse(get(client, "/?lang=ja").content).find("ol", cls="bar")
    assert japanese.find("a").attrs["href"].endswith("&day=2026-03-06&lang=ja")
