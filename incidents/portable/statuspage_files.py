"""Read an Atlassian Statuspage page from its public /api/v2 JSON (shared/reference/
statuspage-v2.md): summary.json or components.json, incidents.json, scheduled-maintenances.json
(and the unresolved, upcoming and active lists, which hold the same objects).

Each file is told apart by its top-level keys, so any of them may be given, in any order. An
incident or maintenance found in several files is taken from the one whose copy was updated
last. Every value is checked as it is read: a file that is not what it should be is refused
with its name and the place of the fault, before anything is written.
"""

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from incidents.choices import ComponentStatus, Impact, IncidentStatus, MaintenanceStatus
from incidents.portable.document import Fields, PortableError

# The names the API gives its documents, in the order they are read from a directory.
FILE_NAMES = (
    "summary.json",
    "components.json",
    "incidents.json",
    "incidents/unresolved.json",
    "scheduled-maintenances.json",
    "scheduled-maintenances/upcoming.json",
    "scheduled-maintenances/active.json",
)
MAINTENANCE_IMPACT = "maintenance"


@dataclass
class SpComponent:
    id: str
    name: str
    status: str
    description: str
    position: int
    showcase: bool
    only_show_if_degraded: bool
    start_date: date | None
    created_at: datetime
    updated_at: datetime
    group_id: str | None = None
    is_group: bool = False


@dataclass
class SpUpdate:
    id: str
    status: str
    body: str
    display_at: datetime
    created_at: datetime
    updated_at: datetime
    deliver_notifications: bool
    # (component id, old status, new status), as the update lists them.
    affected: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class SpIncident:
    id: str
    is_maintenance: bool
    name: str
    status: str
    impact: str
    created_at: datetime
    updated_at: datetime
    started_at: datetime
    monitoring_at: datetime | None
    resolved_at: datetime | None
    scheduled_for: datetime | None
    scheduled_until: datetime | None
    updates: list[SpUpdate]
    components: list[SpComponent]


@dataclass
class SpPage:
    """What the files say of one page."""

    id: str = ""
    name: str = ""
    time_zone: str = ""
    components: dict[str, SpComponent] = field(default_factory=dict)
    incidents: dict[str, SpIncident] = field(default_factory=dict)


def read_component(f: Fields) -> SpComponent:
    is_group = bool(f.row.get("group"))
    return SpComponent(
        id=f.text("id"),
        name=f.text("name"),
        # A group's status is its members' worst: Noroshi computes it, as Statuspage does.
        status=f.text("status") if is_group else f.text("status", choices=ComponentStatus.values),
        description=f.text_or_none("description") or "",
        position=f.number("position"),
        showcase=bool(f.row.get("showcase", False)),
        only_show_if_degraded=bool(f.row.get("only_show_if_degraded", False)),
        start_date=f.day("start_date") if "start_date" in f.row else None,
        created_at=f.time("created_at"),
        updated_at=f.time("updated_at"),
        group_id=f.row.get("group_id") or None,
        is_group=is_group,
    )


def read_update(f: Fields, statuses: list[str]) -> SpUpdate:
    affected = []
    for row in f.rows("affected_components") if f.row.get("affected_components") else []:
        affected.append(
            (
                row.text("code"),
                row.text("old_status", choices=ComponentStatus.values),
                row.text("new_status", choices=ComponentStatus.values),
            )
        )
    return SpUpdate(
        id=f.text("id"),
        status=f.text("status", choices=statuses),
        body=f.text_or_none("body") or "",
        display_at=f.time("display_at"),
        created_at=f.time("created_at"),
        updated_at=f.time("updated_at"),
        deliver_notifications=bool(f.row.get("deliver_notifications", True)),
        affected=affected,
    )


def read_incident(f: Fields, *, maintenance: bool) -> SpIncident:
    statuses = MaintenanceStatus.values if maintenance else IncidentStatus.values
    impacts = [MAINTENANCE_IMPACT, *Impact.values]
    return SpIncident(
        id=f.text("id"),
        is_maintenance=maintenance,
        name=f.text("name"),
        status=f.text("status", choices=statuses),
        impact=f.text("impact", choices=impacts),
        created_at=f.time("created_at"),
        updated_at=f.time("updated_at"),
        started_at=f.time("started_at") if "started_at" in f.row else f.time("created_at"),
        monitoring_at=f.time_or_none("monitoring_at"),
        resolved_at=f.time_or_none("resolved_at"),
        scheduled_for=f.time("scheduled_for") if maintenance else None,
        scheduled_until=f.time("scheduled_until") if maintenance else None,
        updates=[read_update(u, statuses) for u in f.rows("incident_updates")],
        components=[read_component(c) for c in f.rows("components")],
    )


def add_document(page: SpPage, document, name: str) -> None:
    """Add what one file holds to `page`."""
    top = Fields(document, name)
    if "page" in document:
        about = Fields(document["page"], f"{name}: page")
        page.id, page.name = about.text("id"), about.text("name")
        page.time_zone = about.row.get("time_zone") or page.time_zone
    for row in top.rows("components") if "components" in document else []:
        component = read_component(row)
        page.components[component.id] = component
    for key, maintenance in (("incidents", False), ("scheduled_maintenances", True)):
        for row in top.rows(key) if key in document else []:
            found = read_incident(row, maintenance=maintenance)
            known = page.incidents.get(found.id)
            if known is None or found.updated_at > known.updated_at:
                page.incidents[found.id] = found
    if not ({"components", "incidents", "scheduled_maintenances"} & set(document)):
        raise PortableError(f"{name}: not a Statuspage /api/v2 document (no components, "
                            "incidents or scheduled_maintenances).")  # fmt: skip


def read_files(paths: list[Path]) -> SpPage:
    """The page the given files (or the API's files in the given directories) describe."""
    page = SpPage()
    files = []
    for path in paths:
        if path.is_dir():
            files += [path / name for name in FILE_NAMES if (path / name).is_file()]
        else:
            files.append(path)
    if not files:
        raise PortableError(f"No Statuspage JSON file in {', '.join(map(str, paths))}.")
    for path in files:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise PortableError(f"Cannot read {path}: {error.strerror}.") from None
        except json.JSONDecodeError as error:
            raise PortableError(f"{path} is not JSON: {error}.") from None
        add_document(page, document, path.name)
    return page
