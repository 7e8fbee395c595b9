"""Uptime percentages are cut, never rounded up: a component that was down for three minutes
in ninety days reads 99.99 %, not 100.00 %, on every surface that prints one (the overview's
bars, the uptime calendars, the management API and the console's reliability report)."""

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import translation

from incidents.uptime import percentage_text, shown_percentage, uptime_percentage
from tests.statuspage.api_v1.conftest import signed_in
from tests.statuspage.page_data import NOW, blip, component, tokyo, tokyo_page
from tests.statuspage.page_html import parse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "decimals", "shown"),
    [
        (99.999, 2, 99.99),
        (99.99999999, 2, 99.99),
        (99.99, 2, 99.99),  # a float just below its spelling stays what it says
        (99.015151, 2, 99.01),
        (100.0, 2, 100.0),
        (0.0, 2, 0.0),
        (99.99995, 4, 99.9999),
    ],
)
def test_a_percentage_is_cut_never_rounded_up(value, decimals, shown):
    assert shown_percentage(value, decimals) == shown


@pytest.mark.parametrize("observed", [3812042.376882124, 5564543.226524334, 6422943.629324456])
def test_no_downtime_is_exactly_a_hundred(observed):
    """However the observed seconds fall, a period without downtime is 100.0, never a float
    a hair under it that cutting would show as 99.99 (or 99.9999 in the API)."""
    assert uptime_percentage(observed, 0.0) == 100.0
    assert shown_percentage(uptime_percentage(observed, 0.0), 4) == 100.0


def test_the_text_of_a_percentage_has_two_places_in_the_language_s_format():
    assert [percentage_text(v) for v in (99.999, 100.0, 97.5)] == ["99.99", "100.00", "97.50"]
    with translation.override("ja"):
        assert percentage_text(99.999) == "99.99"


@pytest.fixture
def three_minute_outage():
    """A Tokyo page whose one component was in a major outage for three minutes yesterday."""
    with time_machine.travel(NOW, tick=False):
        tokyo_page()
        api = component("API", created_at=tokyo(1, 1).replace(year=2025))
        blip(api, "major_outage", tokyo(3, 9, 10), 3)
        yield api


def test_the_overview_bar_of_three_minutes_down_is_below_one_hundred(client, three_minute_outage):
    with time_machine.travel(NOW, tick=False):
        document = parse(client.get("/").content)

    bar = document.find("div", cls="uptime")
    assert bar.find("span", cls="pct").text() == "99.99 % uptime"
    assert len(bar.find_all("li", cls="s-major_outage")) == 1


def test_the_uptime_calendar_of_that_month_is_below_one_hundred(client, three_minute_outage):
    with time_machine.travel(NOW, tick=False):
        document = parse(client.get("/uptime").content)

    captions = [t.find("caption").text() for t in document.find_all("table", cls="calendar")]
    assert captions == [
        "January 2026 100.00 % uptime",
        "February 2026 100.00 % uptime",
        "March 2026 99.97 % uptime",  # 3 minutes of 9 days 12 hours: 99.978 %
    ]


def test_the_management_api_cuts_its_four_places(three_minute_outage, oncall, db):
    from incidents import selectors

    base = f"/api/v1/pages/{selectors.page_settings().public_id}"
    with time_machine.travel(NOW, tick=False):
        body = signed_in(oncall).get(f"{base}/components/{three_minute_outage.public_id}/uptime")

    # 3 minutes of the default 90-day window: 99.99768 %.
    assert body.json()["uptime_percentage"] == 99.9976


def test_the_reliability_report_is_below_one_hundred(client, viewer, three_minute_outage):
    with time_machine.travel(NOW + timedelta(days=30), tick=False):
        client.force_login(viewer)
        response = client.get("/admin/incidents/postmortem/reliability/?months=2")

    march = next(r for r in response.context["reports"] if r.first_day == date(2026, 3, 1))
    (row,) = march.components
    assert row.uptime_percentage < 100
    assert "<td>99.99 %</td>" in response.content.decode()
