"""/maintenance.ics: an RFC 5545 calendar of maintenance windows that calendar clients keep in
step: stable UIDs, UTC times, and a SEQUENCE that grows with every revision."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from icalendar import Calendar

from incidents import services

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
START = datetime(2026, 5, 3, 17, 0, tzinfo=UTC)
END = datetime(2026, 5, 3, 19, 0, tzinfo=UTC)
PAGE = "https://status.acme.example"


@pytest.fixture
def page(db):
    return services.edit_page_settings(name="Acme", url=f"{PAGE}/", time_zone="Asia/Tokyo")


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def upgrade(page, clock, components):
    return services.schedule_maintenance(
        name="Database upgrade",
        body="We will upgrade the **primary** database. See [notes](https://acme.example/n).",
        scheduled_for=START,
        scheduled_until=END,
        components=[components["Database"]],
    )


def window(name: str, start: datetime, hours: int = 2):
    return services.schedule_maintenance(
        name=name,
        body=f"{name}.",
        scheduled_for=start,
        scheduled_until=start + timedelta(hours=hours),
    )


def fetch(client) -> Calendar:
    response = client.get("/maintenance.ics")
    assert response.status_code == 200
    return Calendar.from_ical(response.content)


def events(client) -> dict[str, dict]:
    return {str(e["summary"]): e for e in fetch(client).walk("VEVENT")}


def test_the_calendar_parses_and_names_the_page(client, upgrade):
    response = client.get("/maintenance.ics")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert b"\r\n" in response.content and b"\n" not in response.content.replace(b"\r\n", b"")
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["version"]) == "2.0"
    assert str(calendar["x-wr-calname"]) == "Acme - Scheduled maintenance"
    assert calendar["refresh-interval"].dt == timedelta(minutes=15)
    assert calendar["refresh-interval"].params["VALUE"] == "DURATION"
    assert str(calendar["x-published-ttl"]) == "PT15M"
    assert str(calendar["source"]) == f"{PAGE}/maintenance.ics"


def test_an_event_carries_the_window_in_utc_the_latest_update_and_the_link(client, upgrade):
    [event] = fetch(client).walk("VEVENT")
    link = f"{PAGE}/incidents/{upgrade.public_id}"
    assert str(event["uid"]) == f"{upgrade.public_id}@status.acme.example"
    assert (event["dtstart"].dt, event["dtend"].dt) == (START, END)
    assert str(event["summary"]) == "Database upgrade"
    assert str(event["description"]) == (
        f"We will upgrade the primary database. See notes.\n\n{link}"
    )
    assert str(event["url"]) == link
    assert str(event["status"]) == "CONFIRMED"
    assert str(event["transp"]) == "TRANSPARENT"
    assert event["sequence"] == 0
    assert event["dtstamp"].dt == event["last-modified"].dt == T0
    body = client.get("/maintenance.ics").content.decode()
    assert "DTSTART:20260503T170000Z\r\n" in body
    assert "DTEND:20260503T190000Z\r\n" in body


def test_upcoming_active_and_recently_completed_windows_are_listed(client, page, clock):
    made = {}
    for name, scheduled_at, start in (
        ("Ancient", T0 - timedelta(days=100), T0 - timedelta(days=99)),
        ("Recent", T0 - timedelta(days=30), T0 - timedelta(days=29)),
        ("Active", T0 - timedelta(hours=1), T0 - timedelta(minutes=30)),
        ("Upcoming", T0 - timedelta(hours=1), T0 + timedelta(days=1)),
    ):
        clock.move_to(scheduled_at)
        services.run_due_maintenance()
        made[name] = window(name, start)
    clock.move_to(T0)
    services.run_due_maintenance()
    statuses = {name: type(row).objects.get(pk=row.pk).status for name, row in made.items()}
    assert statuses == {
        "Ancient": "completed",
        "Recent": "completed",
        "Active": "in_progress",
        "Upcoming": "scheduled",
    }
    assert list(events(client)) == ["Recent", "Active", "Upcoming"]


def test_uids_stay_the_same_across_renders(
    client, upgrade, clock, django_capture_on_commit_callbacks
):
    first = [str(e["uid"]) for e in fetch(client).walk("VEVENT")]
    clock.shift(timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        window("Another", START + timedelta(days=1))
    second = [str(e["uid"]) for e in fetch(client).walk("VEVENT")]
    assert first == [f"{upgrade.public_id}@status.acme.example"]
    assert second[0] == first[0]
    assert len(set(second)) == 2


def test_sequence_goes_up_when_an_update_is_posted(
    client, upgrade, clock, django_capture_on_commit_callbacks
):
    before = events(client)["Database upgrade"]
    clock.shift(timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        services.post_maintenance_update(
            maintenance=upgrade, status="scheduled", body="Reminder: the upgrade is on Sunday."
        )
    after = events(client)["Database upgrade"]
    assert (before["sequence"], after["sequence"]) == (0, 300)
    assert after["last-modified"].dt == after["dtstamp"].dt == T0 + timedelta(minutes=5)
    assert str(after["description"]).startswith("Reminder: the upgrade is on Sunday.\n\n")


def test_moving_the_window_moves_the_event_and_raises_its_sequence(
    client, upgrade, clock, django_capture_on_commit_callbacks
):
    clock.shift(timedelta(seconds=90))
    with django_capture_on_commit_callbacks(execute=True):
        services.edit_maintenance(
            maintenance=upgrade,
            scheduled_for=START + timedelta(hours=1),
            scheduled_until=END + timedelta(hours=1),
        )
    event = events(client)["Database upgrade"]
    assert event["sequence"] == 90
    assert event["dtstart"].dt == START + timedelta(hours=1)
    assert str(event["uid"]) == f"{upgrade.public_id}@status.acme.example"


def test_the_sequence_never_goes_down_through_the_lifecycle(
    client, upgrade, clock, django_capture_on_commit_callbacks
):
    seen = [events(client)["Database upgrade"]["sequence"]]
    for moment, step in (
        (START, services.start_maintenance),
        (START + timedelta(minutes=30), services.complete_maintenance),
    ):
        clock.move_to(moment)
        with django_capture_on_commit_callbacks(execute=True):
            step(maintenance=upgrade)
        seen.append(events(client)["Database upgrade"]["sequence"])
    assert seen == sorted(set(seen))
    assert seen[-1] == int((START + timedelta(minutes=30) - T0).total_seconds())


def test_hostile_markdown_is_plain_text_in_the_description(client, page, clock):
    services.schedule_maintenance(
        name="Upgrade",
        body='<script>alert(1)</script>Go <img src=x onerror="alert(1)"> [x](javascript:alert(1))',
        scheduled_for=START,
        scheduled_until=END,
    )
    description = str(events(client)["Upgrade"]["description"]).lower()
    assert "<script" not in description
    assert "onerror" not in description
    assert "javascript:" not in description


def test_an_empty_calendar_is_still_a_calendar(client, page):
    calendar = fetch(client)
    assert calendar.walk("VEVENT") == []
    assert str(calendar["x-wr-calname"]) == "Acme - Scheduled maintenance"
