"""The Statuspage v2 JSON: component order, limits, the empty page, page.updated_at,
timestamp offsets, ?lang=ja, and the fixed query count of each document."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from incidents import selectors, services
from incidents.models import PageSettings
from incidents.representations import PageContext
from statuspage.api_v2 import documents
from tests.statuspage.test_api_v2 import T1, T2, T3, build_small_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_page():
    return build_small_page()


def test_groups_children_follow_their_group_whatever_the_positions(client):
    first = services.create_component_group(name="First", position=1)
    second = services.create_component_group(name="Second", position=3)
    services.create_component(name="B", group=first, position=5)
    services.create_component(name="A", group=first, position=1)
    services.create_component(name="Lone", position=2)
    services.create_component(name="C", group=second, position=0)
    services.create_component(name="Top", position=0)
    services.create_component_group(name="Empty", position=4)
    components = client.get("/api/v2/components.json").json()["components"]
    assert [(c["name"], c["group"], c["position"]) for c in components] == [
        ("Top", False, 0),
        ("First", True, 1),
        ("A", False, 1),
        ("B", False, 5),
        ("Lone", False, 2),
        ("Second", True, 3),
        ("C", False, 0),
        ("Empty", True, 4),
    ]
    by_name = {c["name"]: c for c in components}
    assert by_name["First"]["components"] == [by_name["A"]["id"], by_name["B"]["id"]]
    assert by_name["Empty"]["components"] == []
    assert by_name["Empty"]["status"] == "operational"


def test_an_incidents_components_are_in_page_order(client, small_page):
    lone_first = services.create_component(name="Lone first", position=0)
    services.post_update(
        incident=small_page.incident,
        status="identified",
        body="Spreading.",
        component_statuses={
            small_page.email: "partial_outage",
            small_page.web: "degraded_performance",
            lone_first: "partial_outage",
        },
    )
    [incident] = client.get("/api/v2/incidents.json").json()["incidents"]
    assert [c["name"] for c in incident["components"]] == ["Lone first", "API", "Web", "Email"]
    assert [c["status"] for c in incident["components"]] == [
        "partial_outage",
        "major_outage",
        "degraded_performance",
        "partial_outage",
    ]
    assert [
        (c["name"], c["old_status"]) for c in incident["incident_updates"][0]["affected_components"]
    ] == [
        ("Lone first", "operational"),
        ("Platform - Web", "operational"),
        ("Email", "operational"),
    ]


def test_incidents_are_newest_first_and_at_most_fifty(client):
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for number in range(51):
        services.declare_incident(
            name=f"Incident {number}",
            body="Investigating.",
            started_at=start + timedelta(hours=number),
            backfilled=True,
        )
    names = [i["name"] for i in client.get("/api/v2/incidents.json").json()["incidents"]]
    assert names == [f"Incident {number}" for number in range(50, 0, -1)]


def test_an_empty_page_has_empty_lists(client):
    services.edit_page_settings(name="Empty", time_zone="Etc/UTC")
    page = PageSettings.objects.get()
    body = client.get("/api/v2/summary.json").json()
    assert body == {
        "page": {
            "id": page.public_id,
            "name": "Empty",
            "url": "http://127.0.0.1:8000",
            "time_zone": "Etc/UTC",
            "updated_at": body["page"]["updated_at"],
        },
        "components": [],
        "incidents": [],
        "scheduled_maintenances": [],
        "status": {"indicator": "none", "description": "All Systems Operational"},
    }
    assert body["page"]["updated_at"].endswith("Z")


def test_page_updated_at_follows_the_latest_change(client, small_page):
    later = datetime(2026, 3, 9, 0, 0, 0, 42000, tzinfo=UTC)
    with time_machine.travel(later, tick=False):
        services.edit_component_group(group=small_page.group, description="Renamed.")
    page = client.get("/api/v2/status.json").json()["page"]
    assert page["updated_at"] == "2026-03-09T09:00:00.042+09:00"


@pytest.mark.parametrize(
    ("zone", "moment", "expected"),
    [
        ("Etc/UTC", T1, "2026-03-07T02:07:15.773Z"),
        ("UTC", T1, "2026-03-07T02:07:15.773Z"),
        ("Asia/Tokyo", T1, "2026-03-07T11:07:15.773+09:00"),
        ("America/Los_Angeles", T1, "2026-03-06T18:07:15.773-08:00"),
        ("America/Los_Angeles", datetime(2026, 7, 1, tzinfo=UTC), "2026-06-30T17:00:00.000-07:00"),
        ("Europe/London", T1, "2026-03-07T02:07:15.773+00:00"),
        ("Asia/Kolkata", T2, "2026-03-07T08:15:30.500+05:30"),
        ("Not/AZone", T3, "2026-03-07T03:00:00.000Z"),
    ],
)
def test_timestamps_carry_milliseconds_and_the_page_offset(zone, moment, expected):
    page = PageSettings(time_zone=zone)
    ctx = PageContext(page=page, zone=selectors.time_zone_of(page), updated_at=moment)
    assert ctx.time(moment) == expected
    assert datetime.fromisoformat(expected) == moment.replace(
        microsecond=moment.microsecond // 1000 * 1000
    )


def test_japanese_text_only_when_asked_by_query(client, small_page):
    english = client.get("/api/v2/summary.json", headers={"Accept-Language": "ja"}).json()
    assert english["components"][0]["name"] == "Platform"
    japanese = client.get("/api/v2/summary.json?lang=ja").json()
    assert [c["name"] for c in japanese["components"]] == ["基盤", "エーピーアイ", "Web", "Email"]
    [incident] = japanese["incidents"]
    assert incident["name"] == "APIエラーの増加"
    assert [u["body"] for u in incident["incident_updates"]] == [
        "A fix is deployed; we are monitoring.",
        "エラー率の上昇を調査しています。",
    ]
    assert incident["incident_updates"][1]["affected_components"][0]["name"] == (
        "基盤 - エーピーアイ"
    )
    assert japanese["page"]["name"] == "Example Cloud"
    assert _shape(japanese) == _shape(english)


def _shape(value):
    """The key structure of a JSON value, with the texts left out."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shape(item) for item in value]
    return type(value).__name__


QUERIES = {
    documents.summary: 15,
    documents.status: 4,
    documents.components: 3,
    documents.incidents: 5,
    documents.unresolved_incidents: 5,
    documents.scheduled_maintenances: 5,
    documents.upcoming_maintenances: 5,
    documents.active_maintenances: 5,
}


def add_more_of_everything(number: int) -> None:
    """Another group of components, an incident with three updates, and two maintenance
    windows, one of them running."""
    group = services.create_component_group(name=f"Group {number}", position=10 + number)
    parts = [services.create_component(name=f"Part {n}", group=group) for n in range(3)]
    incident = services.declare_incident(
        name=f"Incident {number}", body="Down.", component_statuses={parts[0]: "partial_outage"}
    )
    services.post_update(
        incident=incident,
        status="identified",
        body="Found it.",
        component_statuses={parts[1]: "degraded_performance"},
    )
    services.post_update(incident=incident, status="monitoring", body="Fixed; watching.")
    now = datetime.now(UTC)
    for offset in (timedelta(days=-1), timedelta(days=3)):
        window = services.schedule_maintenance(
            name=f"Window {number} {offset.days}",
            body="Planned work.",
            scheduled_for=now + offset,
            scheduled_until=now + offset + timedelta(days=2),
            components=parts[1:],
        )
        if offset < timedelta(0):
            services.start_maintenance(maintenance=window)


def test_documents_read_a_fixed_number_of_queries(small_page, django_assert_num_queries):
    add_more_of_everything(1)
    for document, queries in QUERIES.items():
        with django_assert_num_queries(queries):
            document()
    for number in range(2, 6):
        add_more_of_everything(number)
    for document, queries in QUERIES.items():
        with django_assert_num_queries(queries):
            document()
