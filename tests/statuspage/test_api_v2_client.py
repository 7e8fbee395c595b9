"""A strict JSON client written for Atlassian Statuspage reads a Noroshi page without error.

StatuspageClient below does what common Statuspage consumers (chat bots, exporters, widgets,
typed decoders) do: it decodes page and component objects with exact key sets, looks up a
group's children by their group_id, parses every timestamp with datetime.fromisoformat and
checks every enum; anything unexpected raises.
"""

import io
import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urlparse

import pytest
from django.core.management import call_command

from incidents import services
from tests.statuspage.test_api_v2 import build_small_page

pytestmark = pytest.mark.django_db

PAGE_KEYS = {"id", "name", "url", "time_zone", "updated_at"}
COMPONENT_KEYS = {
    "id",
    "name",
    "status",
    "created_at",
    "updated_at",
    "position",
    "description",
    "showcase",
    "start_date",
    "group_id",
    "page_id",
    "group",
    "only_show_if_degraded",
}
INCIDENT_KEYS = {
    "id",
    "name",
    "status",
    "impact",
    "created_at",
    "updated_at",
    "monitoring_at",
    "resolved_at",
    "started_at",
    "shortlink",
    "page_id",
    "incident_updates",
    "components",
}
UPDATE_KEYS = {
    "id",
    "status",
    "body",
    "incident_id",
    "created_at",
    "updated_at",
    "display_at",
    "affected_components",
    "deliver_notifications",
    "custom_tweet",
    "tweet_id",
}
COMPONENT_STATUSES = [
    "operational",
    "under_maintenance",
    "degraded_performance",
    "partial_outage",
    "major_outage",
]
INCIDENT_STATUSES = {"investigating", "identified", "monitoring", "resolved", "postmortem"}
MAINTENANCE_STATUSES = {"scheduled", "in_progress", "verifying", "completed"}
IMPACTS = {"none", "minor", "major", "critical"}
INDICATORS = IMPACTS | {"maintenance"}
MILLISECONDS = re.compile(r"T\d\d:\d\d:\d\d\.\d{3}(Z|[+-]\d\d:\d\d)$")


class ClientError(Exception):
    pass


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise ClientError(message)


def exact_keys(obj: dict, keys: set[str], what: str) -> dict:
    expect(set(obj) == keys, f"{what}: keys {sorted(set(obj) ^ keys)} differ")
    return obj


@dataclass
class Component:
    id: str
    name: str
    status: str
    position: int
    group_id: str | None
    is_group: bool
    start_date: date | None
    child_ids: list[str]
    children: list["Component"] = field(default_factory=list)


@dataclass
class Incident:
    id: str
    name: str
    status: str
    impact: str
    started_at: datetime
    updates: list[tuple[datetime, str, str]]
    component_names: list[str]
    window: tuple[datetime, datetime] | None


@dataclass
class Summary:
    page_name: str
    indicator: str
    description: str
    groups_and_lone_components: list[Component]
    incidents: list[Incident]
    maintenances: list[Incident]


class StatuspageClient:
    """Reads /api/v2 through `get(path) -> parsed JSON`, strictly."""

    def __init__(self, get: Callable[[str], dict]):
        self.get = get
        self.zone: zoneinfo.ZoneInfo | None = None

    def time(self, value: str) -> datetime:
        moment = datetime.fromisoformat(value)
        expect(moment.tzinfo is not None, f"{value}: no offset")
        expect(MILLISECONDS.search(value) is not None, f"{value}: no milliseconds")
        if self.zone is not None:
            expected = moment.astimezone(self.zone).utcoffset()
            expect(moment.utcoffset() == expected, f"{value}: not in the page's zone")
        return moment

    def page(self, obj: dict) -> str:
        exact_keys(obj, PAGE_KEYS, "page")
        self.zone = zoneinfo.ZoneInfo(obj["time_zone"])
        self.time(obj["updated_at"])
        expect(urlparse(obj["url"]).scheme in ("http", "https"), "page url")
        return obj["name"]

    def component(self, obj: dict) -> Component:
        keys = COMPONENT_KEYS | ({"components"} if obj.get("group") else set())
        exact_keys(obj, keys, f"component {obj.get('name')}")
        expect(obj["status"] in COMPONENT_STATUSES, f"component status {obj['status']}")
        expect(isinstance(obj["position"], int), "position")
        self.time(obj["created_at"])
        self.time(obj["updated_at"])
        start = obj["start_date"]
        return Component(
            id=obj["id"],
            name=obj["name"],
            status=obj["status"],
            position=obj["position"],
            group_id=obj["group_id"],
            is_group=obj["group"],
            start_date=date.fromisoformat(start) if start else None,
            child_ids=obj.get("components", []),
        )

    def components(self, objs: list[dict]) -> list[Component]:
        """The top level, each group holding its children found by group_id."""
        flat = [self.component(obj) for obj in objs]
        by_id = {c.id: c for c in flat}
        for component in flat:
            if component.group_id is not None:
                parent = by_id[component.group_id]
                expect(parent.is_group, f"{component.name}: parent is not a group")
                parent.children.append(component)
        for group in (c for c in flat if c.is_group):
            expect([c.id for c in group.children] == group.child_ids, f"{group.name} children")
            worst = max((COMPONENT_STATUSES.index(c.status) for c in group.children), default=0)
            expect(group.status == COMPONENT_STATUSES[worst], f"{group.name}: status")
        return [c for c in flat if c.group_id is None]

    def incident(self, obj: dict, *, maintenance: bool) -> Incident:
        keys = INCIDENT_KEYS | ({"scheduled_for", "scheduled_until"} if maintenance else set())
        exact_keys(obj, keys, f"incident {obj.get('name')}")
        statuses = MAINTENANCE_STATUSES if maintenance else INCIDENT_STATUSES
        expect(obj["status"] in statuses, f"status {obj['status']}")
        expect(obj["impact"] in (IMPACTS | {"maintenance"}), f"impact {obj['impact']}")
        for name in ("created_at", "updated_at", "started_at"):
            self.time(obj[name])
        for name in ("monitoring_at", "resolved_at"):
            if obj[name] is not None:
                self.time(obj[name])
        expect(urlparse(obj["shortlink"]).path.endswith(obj["id"]), "shortlink")
        updates = [self.update(u, obj["id"], statuses) for u in obj["incident_updates"]]
        expect(bool(updates), "no updates")
        expect(updates == sorted(updates, key=lambda u: u[0], reverse=True), "update order")
        window = None
        if maintenance:
            window = (self.time(obj["scheduled_for"]), self.time(obj["scheduled_until"]))
        return Incident(
            id=obj["id"],
            name=obj["name"],
            status=obj["status"],
            impact=obj["impact"],
            started_at=self.time(obj["started_at"]),
            updates=updates,
            component_names=[self.component(c).name for c in obj["components"]],
            window=window,
        )

    def update(self, obj: dict, incident_id: str, statuses: set[str]) -> tuple:
        exact_keys(obj, UPDATE_KEYS, "incident_update")
        expect(obj["incident_id"] == incident_id, "incident_id")
        expect(obj["status"] in statuses, f"update status {obj['status']}")
        for change in obj["affected_components"] or []:
            expect(set(change) == {"code", "name", "old_status", "new_status"}, "change keys")
            expect(change["old_status"] in COMPONENT_STATUSES, "old_status")
            expect(change["new_status"] in COMPONENT_STATUSES, "new_status")
        expect(obj["custom_tweet"] is None and obj["tweet_id"] is None, "tweets")
        return (self.time(obj["display_at"]), obj["status"], obj["body"])

    def summary(self) -> Summary:
        body = self.get("/api/v2/summary.json")
        page_name = self.page(body["page"])
        status = body["status"]
        expect(status["indicator"] in INDICATORS, f"indicator {status['indicator']}")
        return Summary(
            page_name=page_name,
            indicator=status["indicator"],
            description=status["description"],
            groups_and_lone_components=self.components(body["components"]),
            incidents=[self.incident(i, maintenance=False) for i in body["incidents"]],
            maintenances=[
                self.incident(m, maintenance=True) for m in body["scheduled_maintenances"]
            ],
        )

    def everything(self) -> dict[str, list]:
        """Every other endpoint, decoded the same way."""
        read = {}
        for path, key, maintenance in (
            ("incidents.json", "incidents", False),
            ("incidents/unresolved.json", "incidents", False),
            ("scheduled-maintenances.json", "scheduled_maintenances", True),
            ("scheduled-maintenances/upcoming.json", "scheduled_maintenances", True),
            ("scheduled-maintenances/active.json", "scheduled_maintenances", True),
        ):
            body = self.get(f"/api/v2/{path}")
            self.page(body["page"])
            read[path] = [self.incident(obj, maintenance=maintenance) for obj in body[key]]
        body = self.get("/api/v2/components.json")
        self.page(body["page"])
        read["components.json"] = self.components(body["components"])
        status = self.get("/api/v2/status.json")
        read["status.json"] = [self.page(status["page"]), status["status"]["indicator"]]
        return read


def render(summary: Summary) -> list[str]:
    """What a chat bot would post about the page."""
    lines = [f"{summary.page_name}: {summary.description}"]
    for entry in summary.groups_and_lone_components:
        lines.append(f"{entry.name}: {entry.status}")
        lines += [f"  {child.name}: {child.status}" for child in entry.children]
    lines += [f"! {i.name} ({i.status}, {i.impact}): {i.updates[0][2]}" for i in summary.incidents]
    for m in summary.maintenances:
        lines.append(f"~ {m.name} {m.window[0]:%Y-%m-%d %H:%M%z}: {', '.join(m.component_names)}")
    return lines


@pytest.fixture
def statuspage(client) -> StatuspageClient:
    return StatuspageClient(lambda path: client.get(path).json())


def test_the_client_reads_the_small_page(statuspage):
    build_small_page()
    assert render(statuspage.summary()) == [
        "Example Cloud: Partial System Outage",
        "Platform: major_outage",
        "  API: major_outage",
        "  Web: operational",
        "Email: operational",
        "! Elevated API errors (monitoring, major): A fix is deployed; we are monitoring.",
        "~ Database upgrade 2026-03-08 10:00+0900: Web",
    ]
    read = statuspage.everything()
    assert [i.name for i in read["incidents.json"]] == ["Elevated API errors"]
    assert [m.status for m in read["scheduled-maintenances/upcoming.json"]] == ["scheduled"]
    assert read["scheduled-maintenances/active.json"] == []
    assert read["status.json"] == ["Example Cloud", "major"]


def test_the_client_reads_the_demo_page(statuspage):
    call_command("seed_demo", stdout=io.StringIO())
    summary = statuspage.summary()
    assert (summary.page_name, summary.indicator) == ("Hoshizora Cloud", "minor")
    tree = {
        entry.name: [c.name for c in entry.children] for entry in summary.groups_and_lone_components
    }
    assert tree == {
        "Platform": ["API", "Web dashboard", "Authentication", "Webhooks"],
        "Data": ["Primary database", "Object storage", "Search"],
        "Email delivery": [],
        "SMS delivery": [],
    }
    assert [i.name for i in summary.incidents] == ["Slow search responses"]
    assert [(m.name, m.status) for m in summary.maintenances] == [
        ("SMS gateway migration", "in_progress"),
        ("Primary database version upgrade", "scheduled"),
    ]
    read = statuspage.everything()
    assert len(read["incidents.json"]) == 9
    # Two past incidents have published post-mortems (incidents/demo/postmortems.py).
    assert {i.status for i in read["incidents.json"]} == {"identified", "resolved", "postmortem"}
    assert len(read["scheduled-maintenances.json"]) == 2


def test_the_client_rejects_what_it_does_not_know(statuspage, client):
    build_small_page()
    body = client.get("/api/v2/components.json").json()
    with pytest.raises(ClientError, match="keys"):
        statuspage.component({**body["components"][1], "extra": 1})
    with pytest.raises(ClientError, match="no milliseconds"):
        statuspage.time("2026-03-07T12:00:00+09:00")
    with pytest.raises(ClientError, match="status"):
        statuspage.component({**body["components"][1], "status": "down"})


def test_the_client_follows_a_component_moving_between_groups(statuspage):
    page = build_small_page()
    services.edit_component(component=page.email, group=page.group, position=3)
    [platform] = statuspage.summary().groups_and_lone_components
    assert [c.name for c in platform.children] == ["API", "Web", "Email"]
