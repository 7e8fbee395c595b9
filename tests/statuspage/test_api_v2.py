"""The Statuspage v2 JSON: exact objects of every endpoint for a small hand-built page.

The small page (build_small_page) is also used by the other test_api_v2_* modules.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from incidents import selectors, services
from incidents.models import Component, ComponentGroup, Incident, IncidentUpdate, PageSettings

pytestmark = pytest.mark.django_db

# Microseconds on purpose: the API truncates to milliseconds.
T0 = datetime(2026, 3, 7, 2, 0, 0, 123456, tzinfo=UTC)  # page, group, components
T1 = datetime(2026, 3, 7, 2, 7, 15, 773999, tzinfo=UTC)  # incident declared, API down
T2 = datetime(2026, 3, 7, 2, 45, 30, 500000, tzinfo=UTC)  # monitoring
T3 = datetime(2026, 3, 7, 3, 0, 0, tzinfo=UTC)  # maintenance scheduled
WINDOW_START = datetime(2026, 3, 8, 1, 0, tzinfo=UTC)


@dataclass
class SmallPage:
    group: ComponentGroup
    api: Component
    web: Component
    email: Component
    incident: Incident
    maintenance: Incident


def pin_public_id(model, row, public_id: str) -> None:
    """Give a row a known public id, so that expected objects can be written out whole."""
    model.objects.filter(pk=row.pk).update(public_id=public_id)
    row.public_id = public_id


def build_small_page() -> SmallPage:
    """A group with two components, a lone component, an incident with two updates (the
    second changes no component) and an upcoming maintenance, at fixed times, in Tokyo."""
    with time_machine.travel(T0, tick=False):
        services.edit_page_settings(
            name="Example Cloud", url="https://status.example.com/", time_zone="Asia/Tokyo"
        )
        group = services.create_component_group(
            name="Platform", position=1, description="Core services.", name_ja="基盤"
        )
        api = services.create_component(
            name="API", group=group, position=1, description="REST API.", name_ja="エーピーアイ"
        )
        web = services.create_component(name="Web", group=group, position=2, showcase=False)
        email = services.create_component(
            name="Email", position=2, start_date=date(2026, 1, 1), only_show_if_degraded=True
        )
    with time_machine.travel(T1, tick=False):
        incident = services.declare_incident(
            name="Elevated API errors",
            name_ja="APIエラーの増加",
            body="We are investigating elevated error rates.",
            body_ja="エラー率の上昇を調査しています。",
            component_statuses={api: "major_outage"},
        )
    with time_machine.travel(T2, tick=False):
        services.post_update(
            incident=incident,
            status="monitoring",
            body="A fix is deployed; we are monitoring.",
            deliver_notifications=False,
        )
    with time_machine.travel(T3, tick=False):
        maintenance = services.schedule_maintenance(
            name="Database upgrade",
            body="We will upgrade the database.",
            scheduled_for=WINDOW_START,
            scheduled_until=WINDOW_START + timedelta(hours=2),
            components=[web],
        )
    pin_public_id(PageSettings, selectors.page_settings(), "page00000001")
    pin_public_id(ComponentGroup, group, "grp000000001")
    for row, public_id in ((api, "cmpapi000001"), (web, "cmpweb000001"), (email, "cmpemail0001")):
        pin_public_id(Component, row, public_id)
    pin_public_id(Incident, incident, "inc000000001")
    pin_public_id(Incident, maintenance, "mnt000000001")
    first, second = incident.updates.order_by("display_at")
    pin_public_id(IncidentUpdate, first, "upd000000001")
    pin_public_id(IncidentUpdate, second, "upd000000002")
    pin_public_id(IncidentUpdate, maintenance.updates.get(), "upd000000003")
    return SmallPage(group, api, web, email, incident, maintenance)


PAGE = {
    "id": "page00000001",
    "name": "Example Cloud",
    "url": "https://status.example.com",
    "time_zone": "Asia/Tokyo",
    "updated_at": "2026-03-07T12:00:00.000+09:00",
}
GROUP = {
    "id": "grp000000001",
    "name": "Platform",
    "status": "major_outage",
    "created_at": "2026-03-07T11:00:00.123+09:00",
    "updated_at": "2026-03-07T11:00:00.123+09:00",
    "position": 1,
    "description": "Core services.",
    "showcase": False,
    "start_date": None,
    "group_id": None,
    "page_id": "page00000001",
    "group": True,
    "only_show_if_degraded": False,
    "components": ["cmpapi000001", "cmpweb000001"],
}
API = {
    "id": "cmpapi000001",
    "name": "API",
    "status": "major_outage",
    "created_at": "2026-03-07T11:00:00.123+09:00",
    "updated_at": "2026-03-07T11:07:15.773+09:00",
    "position": 1,
    "description": "REST API.",
    "showcase": True,
    "start_date": None,
    "group_id": "grp000000001",
    "page_id": "page00000001",
    "group": False,
    "only_show_if_degraded": False,
}
WEB = {
    "id": "cmpweb000001",
    "name": "Web",
    "status": "operational",
    "created_at": "2026-03-07T11:00:00.123+09:00",
    "updated_at": "2026-03-07T11:00:00.123+09:00",
    "position": 2,
    "description": None,
    "showcase": False,
    "start_date": None,
    "group_id": "grp000000001",
    "page_id": "page00000001",
    "group": False,
    "only_show_if_degraded": False,
}
EMAIL = {
    "id": "cmpemail0001",
    "name": "Email",
    "status": "operational",
    "created_at": "2026-03-07T11:00:00.123+09:00",
    "updated_at": "2026-03-07T11:00:00.123+09:00",
    "position": 2,
    "description": None,
    "showcase": True,
    "start_date": "2026-01-01",
    "group_id": None,
    "page_id": "page00000001",
    "group": False,
    "only_show_if_degraded": True,
}
INCIDENT = {
    "id": "inc000000001",
    "name": "Elevated API errors",
    "status": "monitoring",
    "impact": "major",
    "created_at": "2026-03-07T11:07:15.773+09:00",
    "updated_at": "2026-03-07T11:45:30.500+09:00",
    "monitoring_at": "2026-03-07T11:45:30.500+09:00",
    "resolved_at": None,
    "started_at": "2026-03-07T11:07:15.773+09:00",
    "shortlink": "https://status.example.com/incidents/inc000000001",
    "page_id": "page00000001",
    "incident_updates": [
        {
            "id": "upd000000002",
            "status": "monitoring",
            "body": "A fix is deployed; we are monitoring.",
            "incident_id": "inc000000001",
            "created_at": "2026-03-07T11:45:30.500+09:00",
            "updated_at": "2026-03-07T11:45:30.500+09:00",
            "display_at": "2026-03-07T11:45:30.500+09:00",
            "affected_components": None,
            "deliver_notifications": False,
            "custom_tweet": None,
            "tweet_id": None,
        },
        {
            "id": "upd000000001",
            "status": "investigating",
            "body": "We are investigating elevated error rates.",
            "incident_id": "inc000000001",
            "created_at": "2026-03-07T11:07:15.773+09:00",
            "updated_at": "2026-03-07T11:07:15.773+09:00",
            "display_at": "2026-03-07T11:07:15.773+09:00",
            "affected_components": [
                {
                    "code": "cmpapi000001",
                    "name": "Platform - API",
                    "old_status": "operational",
                    "new_status": "major_outage",
                }
            ],
            "deliver_notifications": True,
            "custom_tweet": None,
            "tweet_id": None,
        },
    ],
    "components": [API],
}
MAINTENANCE = {
    "id": "mnt000000001",
    "name": "Database upgrade",
    "status": "scheduled",
    "impact": "maintenance",
    "created_at": "2026-03-07T12:00:00.000+09:00",
    "updated_at": "2026-03-07T12:00:00.000+09:00",
    "monitoring_at": None,
    "resolved_at": None,
    "started_at": "2026-03-08T10:00:00.000+09:00",
    "shortlink": "https://status.example.com/incidents/mnt000000001",
    "page_id": "page00000001",
    "incident_updates": [
        {
            "id": "upd000000003",
            "status": "scheduled",
            "body": "We will upgrade the database.",
            "incident_id": "mnt000000001",
            "created_at": "2026-03-07T12:00:00.000+09:00",
            "updated_at": "2026-03-07T12:00:00.000+09:00",
            "display_at": "2026-03-07T12:00:00.000+09:00",
            "affected_components": None,
            "deliver_notifications": True,
            "custom_tweet": None,
            "tweet_id": None,
        }
    ],
    "components": [WEB],
    "scheduled_for": "2026-03-08T10:00:00.000+09:00",
    "scheduled_until": "2026-03-08T12:00:00.000+09:00",
}
STATUS = {"indicator": "major", "description": "Partial System Outage"}


@pytest.fixture
def small_page() -> SmallPage:
    return build_small_page()


def test_summary_is_the_whole_page(client, small_page):
    assert client.get("/api/v2/summary.json").json() == {
        "page": PAGE,
        "components": [GROUP, API, WEB, EMAIL],
        "incidents": [INCIDENT],
        "scheduled_maintenances": [MAINTENANCE],
        "status": STATUS,
    }


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("status.json", {"page": PAGE, "status": STATUS}),
        ("components.json", {"page": PAGE, "components": [GROUP, API, WEB, EMAIL]}),
        ("incidents.json", {"page": PAGE, "incidents": [INCIDENT]}),
        ("incidents/unresolved.json", {"page": PAGE, "incidents": [INCIDENT]}),
        ("scheduled-maintenances.json", {"page": PAGE, "scheduled_maintenances": [MAINTENANCE]}),
        (
            "scheduled-maintenances/upcoming.json",
            {"page": PAGE, "scheduled_maintenances": [MAINTENANCE]},
        ),
        ("scheduled-maintenances/active.json", {"page": PAGE, "scheduled_maintenances": []}),
    ],
)
def test_each_endpoint_serves_its_part(client, small_page, path, expected):
    assert client.get(f"/api/v2/{path}").json() == expected


def test_resolved_incident_leaves_unresolved_but_stays_in_incidents(client, small_page):
    resolved_at = datetime(2026, 3, 7, 4, 0, 0, 1000, tzinfo=UTC)
    with time_machine.travel(resolved_at, tick=False):
        services.resolve_incident(incident=small_page.incident, body="All fixed.")
    assert client.get("/api/v2/incidents/unresolved.json").json()["incidents"] == []
    [incident] = client.get("/api/v2/incidents.json").json()["incidents"]
    assert incident["status"] == "resolved"
    assert incident["resolved_at"] == "2026-03-07T13:00:00.001+09:00"
    assert [u["status"] for u in incident["incident_updates"]] == [
        "resolved",
        "monitoring",
        "investigating",
    ]
    assert incident["incident_updates"][0]["affected_components"] == [
        {
            "code": "cmpapi000001",
            "name": "Platform - API",
            "old_status": "major_outage",
            "new_status": "operational",
        }
    ]
    assert client.get("/api/v2/status.json").json()["status"] == {
        "indicator": "none",
        "description": "All Systems Operational",
    }


def test_maintenance_in_progress_is_active_and_in_the_summary(client, small_page):
    with time_machine.travel(WINDOW_START, tick=False):
        services.start_maintenance(maintenance=small_page.maintenance)
    [active] = client.get("/api/v2/scheduled-maintenances/active.json").json()[
        "scheduled_maintenances"
    ]
    assert active["status"] == "in_progress"
    assert active["started_at"] == "2026-03-08T10:00:00.000+09:00"
    assert active["components"] == [
        {**WEB, "status": "under_maintenance", "updated_at": "2026-03-08T10:00:00.000+09:00"}
    ]
    assert active["incident_updates"][0]["affected_components"] == [
        {
            "code": "cmpweb000001",
            "name": "Platform - Web",
            "old_status": "operational",
            "new_status": "under_maintenance",
        }
    ]
    assert client.get("/api/v2/scheduled-maintenances/upcoming.json").json() == {
        "page": {**PAGE, "updated_at": "2026-03-08T10:00:00.000+09:00"},
        "scheduled_maintenances": [],
    }
    summary = client.get("/api/v2/summary.json").json()
    assert [m["id"] for m in summary["scheduled_maintenances"]] == ["mnt000000001"]


def test_summary_status_agrees_with_page_status(client, small_page):
    services.resolve_incident(incident=small_page.incident, body="Fixed.")
    services.start_maintenance(maintenance=small_page.maintenance)
    expected = selectors.page_status()
    assert expected.indicator == "maintenance"
    assert client.get("/api/v2/summary.json").json()["status"] == {
        "indicator": "maintenance",
        "description": "Service Under Maintenance",
    }
