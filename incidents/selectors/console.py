"""Reads of the console's home: what is open or due now, what is broken, and the page's
status from those same rows."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Max, Prefetch, Q

from incidents.choices import (
    ACTIVE_MAINTENANCE_STATUSES,
    UNRESOLVED_INCIDENT_STATUSES,
    ComponentStatus,
    DraftState,
    IncidentKind,
    MaintenanceStatus,
)
from incidents.models import Component, Incident, RecoveryAction
from incidents.selectors.actions import overdue_actions
from incidents.selectors.page import PageStatus, on_page, open_in_order, rollup


@dataclass(frozen=True)
class ConsoleIncidents:
    """Open public incidents (newest first), maintenance in progress (soonest ending first),
    maintenance to start before a horizon (soonest first), and the alerts' drafts waiting to be
    published or discarded (newest first). Each row carries its components (with their groups)
    and `last_update_at`, the display time of its newest update."""

    unresolved: list[Incident]
    active_maintenances: list[Incident]
    upcoming_maintenances: list[Incident]
    drafts: list[Incident]


def console_incidents(*, upcoming_until: datetime) -> ConsoleIncidents:
    """Open incidents, maintenance in progress, maintenance scheduled to start before
    `upcoming_until` (a window overdue to start included) and drafts, read together
    (2 queries). A draft is not among the open incidents: the public does not see it."""
    rows = (
        Incident.objects.filter(
            Q(kind=IncidentKind.INCIDENT, status__in=UNRESOLVED_INCIDENT_STATUSES)
            | Q(kind=IncidentKind.MAINTENANCE, status__in=ACTIVE_MAINTENANCE_STATUSES)
            | Q(
                kind=IncidentKind.MAINTENANCE,
                status=MaintenanceStatus.SCHEDULED,
                scheduled_for__lt=upcoming_until,
            )
            | Q(draft_state=DraftState.DRAFT)
        )
        .annotate(last_update_at=Max("updates__display_at"))
        .prefetch_related(
            Prefetch("components", queryset=Component.objects.select_related("group"))
        )
    )
    found: list[Incident] = list(rows)
    drafts = sorted((i for i in found if i.is_draft), key=lambda i: (i.created_at, i.pk))
    return ConsoleIncidents(*open_in_order([i for i in found if i.is_public]), drafts=drafts[::-1])


def components_not_operational() -> list[Component]:
    """The components on the page whose status is not operational, with their groups, in
    page order (1 query)."""
    rows = on_page(Component.objects.exclude(status=ComponentStatus.OPERATIONAL))
    return sorted(rows.select_related("group"), key=page_order)


def page_order(component: Component) -> tuple:
    """Where a component stands on the page (as components_in_order() places it): by its
    group's position or its own, a group before a lone component at the same position."""
    top = component.group or component
    return (top.position, component.group is None, top.pk, component.position, component.pk)


def console_page_status(incidents: ConsoleIncidents, troubled: list[Component]) -> PageStatus:
    """page_status() of rows the home has read (no query): the open public incidents (never a
    draft), the active maintenance and the components not operational (an operational one
    weighs nothing in the roll-up)."""
    return rollup(
        component_statuses=[component.status for component in troubled],
        incident_impacts=[incident.impact for incident in incidents.unresolved],
        maintenance_active=bool(incidents.active_maintenances),
    )


@dataclass(frozen=True)
class OverdueActions:
    """How many unfinished actions are overdue, and the most overdue of them."""

    count: int
    oldest: list[RecoveryAction]


def overdue_actions_summary(today: date, *, limit: int) -> OverdueActions:
    """The number of actions overdue on `today` and the `limit` most overdue, with their
    incident and owner (2 queries)."""
    overdue = overdue_actions(today)
    return OverdueActions(count=overdue.count(), oldest=list(overdue[:limit]))
