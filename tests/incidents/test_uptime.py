"""Uptime per component and per day, from a hand-built status history."""

from datetime import UTC, date, datetime

import pytest

from incidents import services
from incidents.choices import StatusChangeSource
from incidents.uptime import percentage_text, uptime_by_day, uptime_for_components

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def at(day, hour, minute=0):
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def history(component, *changes):
    for when, status in changes:
        services.set_component_status(
            component=component,
            status=status,
            source=StatusChangeSource.BACKFILL,
            at=when,
            backfill=True,
        )


@pytest.fixture
def api():
    component = services.create_component(name="API", created_at=at(5, 0))
    history(
        component,
        (at(6, 10), "major_outage"),
        (at(6, 11), "operational"),
        (at(8, 23, 30), "partial_outage"),
        (at(9, 0, 30), "degraded_performance"),
        (at(9, 1), "operational"),
        (at(10, 11), "under_maintenance"),
    )
    return component


def test_days_carry_worst_status_and_outage_minutes(api):
    uptime = uptime_for_components([api], days=7, now=NOW, time_zone="Etc/UTC")[api.pk]

    figures = [
        (
            d.date.day,
            d.worst_status,
            d.major_outage_minutes,
            d.partial_outage_minutes,
            d.degraded_minutes,
        )
        for d in uptime.days
    ]
    assert figures == [
        (4, None, 0, 0, 0),
        (5, "operational", 0, 0, 0),
        (6, "major_outage", 60, 0, 0),
        (7, "operational", 0, 0, 0),
        (8, "partial_outage", 0, 30, 0),
        (9, "partial_outage", 0, 30, 30),
        (10, "under_maintenance", 0, 0, 0),
    ]
    assert uptime.days[-1].observed_seconds == 12 * 3600


def test_uptime_percentage_weights_partial_outage_at_thirty_percent(api):
    uptime = uptime_for_components([api], days=7, now=NOW, time_zone="Etc/UTC")[api.pk]
    observed = 5 * 86400 + 12 * 3600  # the day before creation has no data
    downtime = 3600 + 0.3 * 3600
    assert uptime.uptime_percentage == pytest.approx(100 * (observed - downtime) / observed)
    assert percentage_text(uptime.uptime_percentage) == "99.01"  # 99.0151…, cut


def test_days_follow_the_page_time_zone(db):
    component = services.create_component(name="Web", created_at=at(1, 0))
    # 14:30–15:30 UTC is 23:30–00:30 in Tokyo: half on each Tokyo day.
    history(component, (at(8, 14, 30), "major_outage"), (at(8, 15, 30), "operational"))

    days = uptime_for_components([component], days=3, now=NOW, time_zone="Asia/Tokyo")[
        component.pk
    ].days

    assert [(d.date, d.major_outage_minutes) for d in days] == [
        (date(2026, 3, 8), 30),
        (date(2026, 3, 9), 30),
        (date(2026, 3, 10), 0),
    ]


def test_start_date_hides_the_days_before_it(api):
    services.edit_component(component=api, start_date=date(2026, 3, 8))
    uptime = uptime_for_components([api], days=7, now=NOW, time_zone="Etc/UTC")[api.pk]
    assert [d.worst_status for d in uptime.days[:4]] == [None, None, None, None]
    assert uptime.days[4].worst_status == "partial_outage"


def test_component_without_any_trouble_is_at_one_hundred_percent(db):
    component = services.create_component(name="Search", created_at=at(1, 0))
    uptime = uptime_for_components([component], days=90, now=NOW, time_zone="Etc/UTC")[component.pk]
    assert len(uptime.days) == 90
    assert uptime.uptime_percentage == 100.0


def test_status_before_the_window_carries_into_it(db):
    component = services.create_component(name="DB", created_at=datetime(2025, 12, 1, tzinfo=UTC))
    history(component, (at(1, 0), "major_outage"), (at(9, 12), "operational"))
    days = uptime_for_components([component], days=2, now=NOW, time_zone="Etc/UTC")[
        component.pk
    ].days
    assert [(d.date.day, d.major_outage_minutes) for d in days] == [(9, 12 * 60), (10, 0)]


def test_query_count_does_not_grow_with_components_or_days(db, django_assert_num_queries):
    components = [services.create_component(name=f"C{n}", created_at=at(1, 0)) for n in range(12)]
    for component in components:
        history(component, (at(5, 1), "partial_outage"), (at(5, 2), "operational"))
    with django_assert_num_queries(2):
        result = uptime_for_components(components, days=90, now=NOW, time_zone="Etc/UTC")
    assert {len(u.days) for u in result.values()} == {90}


def test_uptime_by_day_uses_the_page_time_zone(api):
    services.edit_page_settings(time_zone="Asia/Tokyo")
    uptime = uptime_by_day(api, days=7, now=NOW)
    assert uptime.days[-1].date == date(2026, 3, 10)
    assert (
        uptime.days[-1].observed_seconds == 21 * 3600
    )  # Tokyo's 10th began at 15:00 UTC on the 9th
