"""Reads of the incidents domain, one module per topic; import them from here.

page.py: page settings, the status roll-up, components, incidents and maintenance with their
timelines. postmortems.py: post-mortems with their timelines. actions.py: recovery actions and
their progress. Uptime and reliability figures live in incidents/uptime.py and
incidents/reliability.py.
"""

from incidents.selectors.actions import (
    ActionProgress,
    action_progress,
    in_kind_order,
    incident_actions,
    open_actions,
    overdue_actions,
)
from incidents.selectors.page import (
    INDICATOR_DESCRIPTIONS,
    MAINTENANCE_INDICATOR,
    ComponentEntry,
    PageStatus,
    active_maintenances,
    calendar_maintenances,
    completed_maintenances,
    component_or_group,
    components_in_order,
    first_incident_start,
    history_between,
    incident_by_public_id,
    incidents_touching,
    localized,
    page_settings,
    page_status,
    page_time_zone,
    recent_history,
    recent_incidents,
    recent_maintenances,
    resolved_incidents_since,
    rollup,
    timeline,
    unresolved_incidents,
    upcoming_maintenances,
    with_timeline,
    worst_component_status,
)
from incidents.selectors.postmortems import (
    postmortem_for_incident,
    published_postmortem,
    subscribers_notified,
)

__all__ = [
    "INDICATOR_DESCRIPTIONS",
    "MAINTENANCE_INDICATOR",
    "ActionProgress",
    "ComponentEntry",
    "PageStatus",
    "action_progress",
    "active_maintenances",
    "calendar_maintenances",
    "completed_maintenances",
    "component_or_group",
    "components_in_order",
    "first_incident_start",
    "history_between",
    "in_kind_order",
    "incident_actions",
    "incident_by_public_id",
    "incidents_touching",
    "localized",
    "open_actions",
    "overdue_actions",
    "page_settings",
    "page_status",
    "page_time_zone",
    "postmortem_for_incident",
    "published_postmortem",
    "recent_history",
    "recent_incidents",
    "recent_maintenances",
    "resolved_incidents_since",
    "rollup",
    "subscribers_notified",
    "timeline",
    "unresolved_incidents",
    "upcoming_maintenances",
    "with_timeline",
    "worst_component_status",
]
