"""Reads of the public page: the status roll-up, components in display order, open incidents
and maintenance, timelines. The page settings row is read in page_settings.py; uptime figures
live in incidents/uptime.py.

Every incident read here is a public one (Incident.objects.public()): an alert's draft, and a
discarded one, is on no public surface. The components a draft changed are: that is what
monitoring-driven status is for."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, Prefetch, Q, QuerySet

from incidents.choices import (
    ACTIVE_MAINTENANCE_STATUSES,
    CLOSED_INCIDENT_STATUSES,
    COMPONENT_STATUS_SEVERITY,
    IMPACT_OF_COMPONENT_STATUS,
    IMPACT_SEVERITY,
    UNRESOLVED_INCIDENT_STATUSES,
    ComponentStatus,
    DraftState,
    Impact,
    IncidentKind,
    MaintenanceStatus,
)
from incidents.models import (
    Component,
    ComponentGroup,
    ComponentStatusChange,
    Incident,
    IncidentUpdate,
    IncidentUpdateComponent,
)

MAINTENANCE_INDICATOR = "maintenance"
INDICATOR_DESCRIPTIONS = {
    Impact.NONE: "All Systems Operational",
    Impact.MINOR: "Minor Service Outage",
    Impact.MAJOR: "Partial System Outage",
    Impact.CRITICAL: "Major System Outage",
    MAINTENANCE_INDICATOR: "Service Under Maintenance",
}


@dataclass(frozen=True)
class PageStatus:
    indicator: str
    description: str


def rollup(
    *, component_statuses: Iterable[str], incident_impacts: Iterable[str], maintenance_active: bool
) -> PageStatus:
    """The page indicator from its inputs, as docs/reference/statuspage-v2.md defines it."""
    component_statuses = set(component_statuses)
    impacts = set(incident_impacts) | {IMPACT_OF_COMPONENT_STATUS[s] for s in component_statuses}
    worst = max(impacts, key=IMPACT_SEVERITY.__getitem__, default=Impact.NONE)
    if worst == Impact.NONE and (
        maintenance_active or ComponentStatus.UNDER_MAINTENANCE in component_statuses
    ):
        worst = MAINTENANCE_INDICATOR
    return PageStatus(indicator=str(worst), description=INDICATOR_DESCRIPTIONS[worst])


def rollup_of_rows(
    entries: list["ComponentEntry"], incidents: list[Incident], active_maintenances: list
) -> PageStatus:
    """rollup() of rows a page has already read: its component entries, its unresolved
    incidents and its active maintenance (no query)."""
    return rollup(
        component_statuses=[c.status for entry in entries for c in entry.components],
        incident_impacts=[incident.impact for incident in incidents],
        maintenance_active=bool(active_maintenances),
    )


def page_status() -> PageStatus:
    """The roll-up of the whole page: worst of the component statuses and open incidents."""
    statuses = on_page(Component.objects.all()).values_list("status", flat=True).distinct()
    impacts = (
        Incident.objects.public()
        .filter(kind=IncidentKind.INCIDENT, status__in=UNRESOLVED_INCIDENT_STATUSES)
        .values_list("impact", flat=True)
        .distinct()
    )
    maintenance_active = (
        Incident.objects.public()
        .filter(kind=IncidentKind.MAINTENANCE, status__in=ACTIVE_MAINTENANCE_STATUSES)
        .exists()
    )
    return rollup(
        component_statuses=list(statuses),
        incident_impacts=list(impacts),
        maintenance_active=maintenance_active,
    )


def worst_component_status(statuses: Iterable[str]) -> str:
    """The worst of the given statuses (operational for none): a group's status."""
    return max(
        statuses, key=COMPONENT_STATUS_SEVERITY.__getitem__, default=ComponentStatus.OPERATIONAL
    )


@dataclass(frozen=True)
class ComponentEntry:
    """A top-level entry of the page: a group with its components, or a lone component."""

    group: ComponentGroup | None
    components: list[Component]

    @property
    def status(self) -> str:
        return worst_component_status(c.status for c in self.components)


def on_page(components: QuerySet[Component]) -> QuerySet[Component]:
    """The components the page shows: not archived."""
    return components.filter(archived_at__isnull=True)


def components_in_order(*, include_archived: bool = False) -> list[ComponentEntry]:
    """Groups and lone components in page order, each group holding its components (2 queries).
    Archived components only when asked (reports of the past)."""
    ordered = Component.objects.order_by("position", "id")
    components = list(ordered if include_archived else on_page(ordered))
    groups = list(ComponentGroup.objects.order_by("position", "id"))
    members: dict[int, list[Component]] = {g.pk: [] for g in groups}
    loose: list[Component] = []
    for component in components:
        bucket = members.get(component.group_id) if component.group_id else None
        (loose if bucket is None else bucket).append(component)
    entries = [ComponentEntry(group=g, components=members[g.pk]) for g in groups]
    entries += [ComponentEntry(group=None, components=[c]) for c in loose]
    return sorted(entries, key=lambda e: (e.group or e.components[0]).position)


def with_timeline(incidents: QuerySet[Incident]) -> QuerySet[Incident]:
    """Prefetch each incident's components and updates (newest first) with their changes."""
    updates = IncidentUpdate.objects.select_related("author").prefetch_related(
        Prefetch(
            "affected_components",
            queryset=IncidentUpdateComponent.objects.select_related("component__group"),
        )
    )
    return incidents.prefetch_related(
        Prefetch("components", queryset=Component.objects.select_related("group")),
        Prefetch("updates", queryset=updates.order_by("-display_at", "-id")),
    )


def unresolved_incidents() -> QuerySet[Incident]:
    """Open incidents, newest first, with their timelines."""
    return with_timeline(
        Incident.objects.public().filter(
            kind=IncidentKind.INCIDENT, status__in=UNRESOLVED_INCIDENT_STATUSES
        )
    ).order_by("-started_at", "-id")


def active_maintenances() -> QuerySet[Incident]:
    """Maintenance in progress or verifying, soonest-ending first."""
    return with_timeline(
        Incident.objects.public().filter(
            kind=IncidentKind.MAINTENANCE, status__in=ACTIVE_MAINTENANCE_STATUSES
        )
    ).order_by("scheduled_until", "id")


def upcoming_maintenances() -> QuerySet[Incident]:
    """Maintenance still scheduled, soonest first."""
    return with_timeline(
        Incident.objects.public().filter(
            kind=IncidentKind.MAINTENANCE, status=MaintenanceStatus.SCHEDULED
        )
    ).order_by("scheduled_for", "id")


@dataclass(frozen=True)
class OverviewIncidents:
    """What the overview lists, each in its own order (see the selectors of the same names)."""

    unresolved: list[Incident]
    active_maintenances: list[Incident]
    upcoming_maintenances: list[Incident]
    started_recently: list[Incident]


def overview_incidents(*, started_since: datetime, until: datetime) -> OverviewIncidents:
    """Open incidents, maintenance in progress and to come, and everything that started in
    [started_since, until): read together, with one set of timeline prefetches (4 queries,
    where the four lists read apart cost 16)."""
    rows = Incident.objects.public().filter(
        Q(kind=IncidentKind.INCIDENT, status__in=UNRESOLVED_INCIDENT_STATUSES)
        | Q(kind=IncidentKind.MAINTENANCE, status__in=ACTIVE_MAINTENANCE_STATUSES)
        | Q(kind=IncidentKind.MAINTENANCE, status=MaintenanceStatus.SCHEDULED)
        | Q(started_at__gte=started_since, started_at__lt=until)
    )
    found = list(with_timeline(rows.select_related("postmortem")))
    unresolved, active, upcoming = open_in_order(found)
    newest_first = sorted(found, key=lambda i: (i.started_at, i.pk), reverse=True)
    return OverviewIncidents(
        unresolved=unresolved,
        active_maintenances=active,
        upcoming_maintenances=upcoming,
        started_recently=[i for i in newest_first if started_since <= i.started_at < until],
    )


def open_in_order(
    found: list[Incident],
) -> tuple[list[Incident], list[Incident], list[Incident]]:
    """Of rows already read (no query): the unresolved incidents, newest first; the maintenance
    in progress, soonest ending first; the maintenance scheduled, soonest first."""
    incidents = [i for i in found if i.kind == IncidentKind.INCIDENT]
    maintenances = [i for i in found if i.kind == IncidentKind.MAINTENANCE]
    return (
        sorted(
            (i for i in incidents if i.status in UNRESOLVED_INCIDENT_STATUSES),
            key=lambda i: (i.started_at, i.pk),
            reverse=True,
        ),
        sorted(
            (i for i in maintenances if i.status in ACTIVE_MAINTENANCE_STATUSES),
            key=lambda i: (i.scheduled_until, i.pk),
        ),
        sorted(
            (i for i in maintenances if i.status == MaintenanceStatus.SCHEDULED),
            key=lambda i: (i.scheduled_for, i.pk),
        ),
    )


def timeline(incident: Incident) -> list[IncidentUpdate]:
    """The updates of one incident, newest first, with their component changes."""
    return list(
        IncidentUpdate.objects.filter(incident=incident)
        .select_related("author")
        .prefetch_related(
            Prefetch(
                "affected_components",
                queryset=IncidentUpdateComponent.objects.select_related("component__group"),
            )
        )
        .order_by("-display_at", "-id")
    )


def localized(obj, field: str, language: str | None) -> str:
    """`obj.<field>` in `language` when a translation is stored, else the default text."""
    if language and language.split("-")[0] == "ja":
        translated = getattr(obj, f"{field}_ja", "")
        if translated:
            return translated
    return getattr(obj, field)


def incident_by_public_id(public_id: str) -> Incident:
    """One incident or maintenance with its timeline and post-mortem (if any); raises
    Incident.DoesNotExist."""
    rows = Incident.objects.public().filter(public_id=public_id).select_related("postmortem")
    return with_timeline(rows).get()


def recent_incidents(*, limit: int = 50) -> QuerySet[Incident]:
    """The most recent incidents (not maintenance), any status, newest first."""
    return with_timeline(Incident.objects.public().filter(kind=IncidentKind.INCIDENT)).order_by(
        "-started_at", "-id"
    )[:limit]


def recent_maintenances(*, limit: int = 50) -> QuerySet[Incident]:
    """The most recent maintenance windows, any status, latest start first."""
    return with_timeline(Incident.objects.public().filter(kind=IncidentKind.MAINTENANCE)).order_by(
        "-scheduled_for", "-id"
    )[:limit]


def resolved_incidents_since(since: datetime) -> QuerySet[Incident]:
    """Closed incidents that started at or after `since`, newest first, with timelines and
    post-mortems (the page's "past days")."""
    return with_timeline(
        Incident.objects.public()
        .filter(
            kind=IncidentKind.INCIDENT,
            status__in=CLOSED_INCIDENT_STATUSES,
            started_at__gte=since,
        )
        .select_related("postmortem")
    ).order_by("-started_at", "-id")


def recent_history(*, limit: int) -> QuerySet[Incident]:
    """Incidents and maintenance, newest start first, with their timelines and post-mortems
    (the feeds)."""
    rows = Incident.objects.public().select_related("postmortem")
    return with_timeline(rows).order_by("-started_at", "-id")[:limit]


def completed_maintenances(*, limit: int) -> QuerySet[Incident]:
    """The last `limit` completed windows, latest completed first, with their timelines."""
    completed = Incident.objects.public().filter(
        kind=IncidentKind.MAINTENANCE, status=MaintenanceStatus.COMPLETED
    )
    return with_timeline(completed).order_by("-resolved_at", "-id")[:limit]


def calendar_maintenances(*, ended_since: datetime) -> QuerySet[Incident]:
    """Maintenance not yet completed, and windows that ended since `ended_since`, soonest
    first, with their timelines (the maintenance calendar)."""
    rows = (
        Incident.objects.public()
        .filter(kind=IncidentKind.MAINTENANCE)
        .filter(~Q(status=MaintenanceStatus.COMPLETED) | Q(scheduled_until__gte=ended_since))
    )
    return with_timeline(rows).order_by("scheduled_for", "id")


def component_or_group(public_id: str) -> tuple[Component | ComponentGroup, str] | None:
    """The component, or else the group, with `public_id`, and its status (a group's is its
    worst component's); None when there is neither."""
    component = on_page(Component.objects.all()).filter(public_id=public_id).first()
    if component is not None:
        return component, component.status
    group = ComponentGroup.objects.filter(public_id=public_id).first()
    if group is None:
        return None
    statuses = on_page(group.components.all()).values_list("status", flat=True)
    return group, worst_component_status(statuses)


def component_with_group(component_id: int) -> Component:
    """A component with its group (archived ones too: an event about it was already written)."""
    return Component.objects.select_related("group").get(pk=component_id)


def status_history_versions(component_ids: list[int]) -> dict[int, tuple]:
    """A version of each component's status history: (last id, count, last time), which moves
    with every change, backfill included (one query)."""
    rows = (
        ComponentStatusChange.objects.filter(component_id__in=component_ids)
        .values("component_id")
        .annotate(last=Max("id"), n=Count("id"), at=Max("created_at"))
        .values_list("component_id", "last", "n", "at")
        .order_by()
    )
    return {pk: (last, n, at) for pk, last, n, at in rows}


def incidents_touching(component_ids: list[int], *, since: datetime, until: datetime):
    """(component id, public id, name, name_ja, started_at, resolved_at) for every incident or
    started maintenance of these components that was open at some time in [since, until],
    oldest first, in one query."""
    return (
        Incident.components.through.objects.filter(
            component_id__in=component_ids,
            incident__started_at__lte=until,
            incident__draft_state=DraftState.PUBLISHED,
        )
        .filter(Q(incident__resolved_at__isnull=True) | Q(incident__resolved_at__gte=since))
        .exclude(incident__status=MaintenanceStatus.SCHEDULED)
        .order_by("incident__started_at", "incident_id")
        .values_list(
            "component_id",
            "incident__public_id",
            "incident__name",
            "incident__name_ja",
            "incident__started_at",
            "incident__resolved_at",
        )
    )
