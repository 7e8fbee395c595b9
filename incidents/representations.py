"""Rows of the incidents domain turned into the exact objects of the Statuspage v2 API, for
/api/v2 (statuspage.api_v2) and for the webhook and Slack payloads (notify) alike.

Shapes, key sets and enums follow docs/reference/statuspage-v2.md and are pinned by
docs/api/statuspage-v2.openapi.yaml. Every function here is pure except page_context(), which
reads the page settings row through incidents.selectors (one query).
"""

import zoneinfo
from dataclasses import dataclass
from datetime import datetime

from incidents import selectors
from incidents.models import (
    Component,
    ComponentGroup,
    Incident,
    IncidentUpdate,
    IncidentUpdateComponent,
    PageSettings,
)

MAINTENANCE_IMPACT = "maintenance"
# Zone abbreviations that Statuspage (Rails) writes as "Z"; every other zone, even one at +00:00
# such as Europe/London in winter, gets a numeric offset.
UTC_ABBREVIATIONS = frozenset({"UTC", "UCT"})


@dataclass(frozen=True)
class PageContext:
    """What every object of one response needs: the page, its zone, the language asked for."""

    page: PageSettings
    zone: zoneinfo.ZoneInfo
    updated_at: datetime
    language: str | None = None

    def time(self, moment: datetime | None) -> str | None:
        """`moment` in the page's zone, with milliseconds and an offset (None stays None)."""
        if moment is None:
            return None
        local = moment.astimezone(self.zone)
        text = local.isoformat(timespec="milliseconds")
        return text[:-6] + "Z" if local.tzname() in UTC_ABBREVIATIONS else text

    def text(self, obj, field: str) -> str:
        return selectors.localized(obj, field, self.language)

    @property
    def page_id(self) -> str:
        return self.page.public_id

    @property
    def base_url(self) -> str:
        """The page's address without a trailing slash, as real pages write it."""
        return (self.page.url or "").strip().rstrip("/")


def page_context(*, language: str | None = None) -> PageContext:
    """Read the page settings with the newest change of anything shown (one query; see
    selectors.page_settings_with_updated_at)."""
    page, updated_at = selectors.page_settings_with_updated_at()
    return PageContext(
        page=page,
        zone=selectors.time_zone_of(page),
        updated_at=updated_at,
        language=language,
    )


def page_object(ctx: PageContext) -> dict:
    return {
        "id": ctx.page_id,
        "name": ctx.text(ctx.page, "name"),
        "url": ctx.base_url,
        "time_zone": ctx.zone.key,
        "updated_at": ctx.time(ctx.updated_at),
    }


def status_object(status: selectors.PageStatus) -> dict:
    return {"indicator": status.indicator, "description": status.description}


def component_object(ctx: PageContext, component: Component, *, group_id: str | None) -> dict:
    return {
        "id": component.public_id,
        "name": ctx.text(component, "name"),
        "status": component.status,
        "created_at": ctx.time(component.created_at),
        "updated_at": ctx.time(component.updated_at),
        "position": component.position,
        "description": ctx.text(component, "description") or None,
        "showcase": component.showcase,
        "start_date": component.start_date.isoformat() if component.start_date else None,
        "group_id": group_id,
        "page_id": ctx.page_id,
        "group": False,
        "only_show_if_degraded": component.only_show_if_degraded,
    }


def group_object(ctx: PageContext, group: ComponentGroup, members: list[Component]) -> dict:
    """A group as a component object: the worst status of its members, their ids."""
    return {
        "id": group.public_id,
        "name": ctx.text(group, "name"),
        "status": selectors.worst_component_status(c.status for c in members),
        "created_at": ctx.time(group.created_at),
        "updated_at": ctx.time(group.updated_at),
        "position": group.position,
        "description": ctx.text(group, "description") or None,
        "showcase": False,
        "start_date": None,
        "group_id": None,
        "page_id": ctx.page_id,
        "group": True,
        "only_show_if_degraded": False,
        "components": [member.public_id for member in members],
    }


def component_objects(ctx: PageContext, entries: list[selectors.ComponentEntry]) -> list[dict]:
    """The flat list in page order: each group right before its members."""
    objects = []
    for entry in entries:
        group = entry.group
        if group is not None:
            objects.append(group_object(ctx, group, entry.components))
        group_id = group.public_id if group else None
        objects += [component_object(ctx, c, group_id=group_id) for c in entry.components]
    return objects


def page_order(component: Component) -> tuple:
    """Where `component` stands in the flat list, as selectors.components_in_order() places it:
    top-level entries by position (a group before a lone component at the same position), then
    members by position. Its group must be loaded with it."""
    group = component.group
    if group is None:
        return (component.position, 1, component.pk, 0, 0)
    return (group.position, 0, group.pk, component.position, component.pk)


def affected_component_name(ctx: PageContext, component: Component) -> str:
    name = ctx.text(component, "name")
    return f"{ctx.text(component.group, 'name')} - {name}" if component.group else name


def affected_components(ctx: PageContext, update: IncidentUpdate) -> list[dict] | None:
    """The statuses the update set, in page order; None when it set none."""
    rows: list[IncidentUpdateComponent] = sorted(
        update.affected_components.all(), key=lambda row: page_order(row.component)
    )
    if not rows:
        return None
    return [
        {
            "code": row.component.public_id,
            "name": affected_component_name(ctx, row.component),
            "old_status": row.old_status,
            "new_status": row.new_status,
        }
        for row in rows
    ]


def update_object(ctx: PageContext, update: IncidentUpdate, incident: Incident) -> dict:
    return {
        "id": update.public_id,
        "status": update.status,
        "body": ctx.text(update, "body"),
        "incident_id": incident.public_id,
        "created_at": ctx.time(update.created_at),
        "updated_at": ctx.time(update.updated_at),
        "display_at": ctx.time(update.display_at),
        "affected_components": affected_components(ctx, update),
        "deliver_notifications": update.deliver_notifications,
        "custom_tweet": None,
        "tweet_id": None,
    }


def incident_object(ctx: PageContext, incident: Incident) -> dict:
    """An incident, or a maintenance with its window; expects selectors.with_timeline()."""
    components = sorted(incident.components.all(), key=page_order)
    updates = incident.updates.all()  # newest first: the selector orders the prefetch
    body = {
        "id": incident.public_id,
        "name": ctx.text(incident, "name"),
        "status": incident.status,
        "impact": MAINTENANCE_IMPACT if incident.is_maintenance else incident.impact,
        "created_at": ctx.time(incident.created_at),
        "updated_at": ctx.time(incident.updated_at),
        "monitoring_at": ctx.time(incident.monitoring_at),
        "resolved_at": ctx.time(incident.resolved_at),
        "started_at": ctx.time(incident.started_at),
        "shortlink": f"{ctx.base_url}/incidents/{incident.public_id}",
        "page_id": ctx.page_id,
        "incident_updates": [update_object(ctx, u, incident) for u in updates],
        "components": [
            component_object(ctx, c, group_id=c.group.public_id if c.group else None)
            for c in components
        ],
    }
    if incident.is_maintenance:
        body["scheduled_for"] = ctx.time(incident.scheduled_for)
        body["scheduled_until"] = ctx.time(incident.scheduled_until)
    return body
