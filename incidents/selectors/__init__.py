"""Reads of the incidents domain, one module per topic; import them from here.

page_settings.py: the page settings row, its time zone, the newest change of anything shown.
page.py: the status roll-up, components, incidents and maintenance with their timelines.
postmortems.py: post-mortems with their timelines. actions.py: recovery actions and their
progress. idempotency.py: the keys that make a write happen once. uptime.py: the status
history the uptime figures are computed from (in incidents/uptime.py). reliability.py: the
incidents of the reliability report (incidents/reliability.py). export.py: one incident with
everything its export shows (incidents/export.py). api_keys.py: the management API's keys.
"""

from incidents.selectors.actions import (
    ActionProgress,
    action_progress,
    actions_to_chase,
    in_kind_order,
    incident_actions,
    open_actions,
    overdue_actions,
)
from incidents.selectors.api_keys import api_key_for_secret
from incidents.selectors.export import incident_for_export
from incidents.selectors.idempotency import idempotency_key
from incidents.selectors.members import member_language
from incidents.selectors.page import (
    INDICATOR_DESCRIPTIONS,
    MAINTENANCE_INDICATOR,
    ComponentEntry,
    PageStatus,
    active_maintenances,
    calendar_maintenances,
    completed_maintenances,
    component_or_group,
    component_with_group,
    components_in_order,
    first_incident_start,
    history_between,
    incident_by_public_id,
    incidents_touching,
    localized,
    on_page,
    overview_incidents,
    page_status,
    recent_history,
    recent_incidents,
    recent_maintenances,
    resolved_incidents_since,
    rollup,
    rollup_of_rows,
    status_history_versions,
    timeline,
    unresolved_incidents,
    upcoming_maintenances,
    with_timeline,
    worst_component_status,
)
from incidents.selectors.page_settings import (
    page_settings,
    page_settings_with_updated_at,
    page_time_zone,
    time_zone_of,
)
from incidents.selectors.postmortems import (
    postmortem_for_incident,
    published_postmortem,
)
from incidents.selectors.reliability import incidents_started_since
from incidents.selectors.uptime import status_changes, statuses_before

__all__ = [
    "INDICATOR_DESCRIPTIONS",
    "MAINTENANCE_INDICATOR",
    "ActionProgress",
    "ComponentEntry",
    "PageStatus",
    "action_progress",
    "actions_to_chase",
    "active_maintenances",
    "api_key_for_secret",
    "calendar_maintenances",
    "completed_maintenances",
    "component_or_group",
    "component_with_group",
    "components_in_order",
    "first_incident_start",
    "history_between",
    "idempotency_key",
    "in_kind_order",
    "incident_actions",
    "incident_by_public_id",
    "incident_for_export",
    "incidents_started_since",
    "incidents_touching",
    "localized",
    "member_language",
    "on_page",
    "open_actions",
    "overdue_actions",
    "overview_incidents",
    "page_settings",
    "page_settings_with_updated_at",
    "page_status",
    "page_time_zone",
    "postmortem_for_incident",
    "published_postmortem",
    "recent_history",
    "recent_incidents",
    "recent_maintenances",
    "resolved_incidents_since",
    "rollup",
    "rollup_of_rows",
    "status_changes",
    "status_history_versions",
    "statuses_before",
    "time_zone_of",
    "timeline",
    "unresolved_incidents",
    "upcoming_maintenances",
    "with_timeline",
    "worst_component_status",
]
