"""Reads of the incidents domain, one module per topic; import them from here.

page_settings.py: the page settings row, its time zone, the newest change of anything shown (and
the newest audited write or status change, which the page stamp must be past). page.py: the
status roll-up, components, incidents and maintenance with their timelines. history.py: the
history page's incidents, by start or by the time they were open, of the page or of one
component. console.py: what the console's home shows (open incidents with the time of their last
update, maintenance due, components not operational, overdue actions). postmortems.py: post-
mortems with their timelines. actions.py: recovery actions and their progress. idempotency.py:
the keys that make a write happen once. uptime.py: the status history the uptime figures are
computed from (in incidents/uptime.py). reliability.py: the incidents of the reliability report
(incidents/reliability.py) and the times of an incident's public word (incidents/public_word.py).
reminders.py: the open incidents silent for a whole interval, and whom to remind of them.
export.py: one incident with everything its export shows
(incidents/export.py). management.py: what the management API (statuspage.api_v1) lists and
looks up by public id. api_keys.py: the management API's keys. alerts.py: alerts in (the
integration a token names, the alerts firing and the components they hold, the drafts due to
publish).
"""

from incidents.selectors.actions import (
    ActionProgress,
    action_of_incident,
    action_progress,
    actions_to_chase,
    all_actions,
    in_kind_order,
    incident_actions,
    open_actions,
    overdue_actions,
)
from incidents.selectors.alerts import (
    alert_groups_due,
    components_held,
    firing_alerts,
    group_is_firing,
    incident_alerts,
    integration_for_token,
    label_rules,
    received_states,
)
from incidents.selectors.api_keys import api_key_for_secret
from incidents.selectors.console import (
    ConsoleIncidents,
    OverdueActions,
    components_not_operational,
    console_incidents,
    console_page_status,
    overdue_actions_summary,
)
from incidents.selectors.export import incident_for_export
from incidents.selectors.history import (
    first_incident_start,
    history_between,
    history_open_between,
)
from incidents.selectors.idempotency import idempotency_key
from incidents.selectors.management import (
    all_maintenances,
    component_for_management,
    components_by_public_id,
    components_for_management,
    group_by_public_id,
    group_for_management,
    groups_for_management,
    incident_for_management,
    incident_is_hidden,
    incidents_matching,
    update_of_incident,
    update_template_for,
    update_templates,
)
from incidents.selectors.members import authored_records, member_by_username, member_language
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
    newest_change_at,
    page_logo,
    page_settings,
    page_settings_with_updated_at,
    page_time_zone,
    time_zone_of,
)
from incidents.selectors.postmortems import (
    postmortem_for_incident,
    published_postmortem,
)
from incidents.selectors.reliability import incidents_started_since, public_word_times
from incidents.selectors.reminders import (
    SilentIncident,
    reminder_recipients,
    silence_due_at,
    silent_incidents,
)
from incidents.selectors.uptime import first_status_change_at, status_changes, statuses_before

__all__ = [
    "INDICATOR_DESCRIPTIONS",
    "MAINTENANCE_INDICATOR",
    "ActionProgress",
    "ComponentEntry",
    "ConsoleIncidents",
    "OverdueActions",
    "PageStatus",
    "SilentIncident",
    "action_of_incident",
    "action_progress",
    "actions_to_chase",
    "active_maintenances",
    "alert_groups_due",
    "all_actions",
    "all_maintenances",
    "api_key_for_secret",
    "authored_records",
    "calendar_maintenances",
    "completed_maintenances",
    "component_for_management",
    "component_or_group",
    "component_with_group",
    "components_by_public_id",
    "components_for_management",
    "components_held",
    "components_in_order",
    "components_not_operational",
    "console_incidents",
    "console_page_status",
    "firing_alerts",
    "first_incident_start",
    "first_status_change_at",
    "group_by_public_id",
    "group_for_management",
    "group_is_firing",
    "groups_for_management",
    "history_between",
    "history_open_between",
    "idempotency_key",
    "in_kind_order",
    "incident_actions",
    "incident_alerts",
    "incident_by_public_id",
    "incident_for_export",
    "incident_for_management",
    "incident_is_hidden",
    "incidents_matching",
    "incidents_started_since",
    "incidents_touching",
    "integration_for_token",
    "label_rules",
    "localized",
    "member_by_username",
    "member_language",
    "newest_change_at",
    "on_page",
    "open_actions",
    "overdue_actions",
    "overdue_actions_summary",
    "overview_incidents",
    "page_logo",
    "page_settings",
    "page_settings_with_updated_at",
    "page_status",
    "page_time_zone",
    "postmortem_for_incident",
    "public_word_times",
    "published_postmortem",
    "received_states",
    "recent_history",
    "recent_incidents",
    "recent_maintenances",
    "reminder_recipients",
    "resolved_incidents_since",
    "rollup",
    "rollup_of_rows",
    "silence_due_at",
    "silent_incidents",
    "status_changes",
    "status_history_versions",
    "statuses_before",
    "time_zone_of",
    "timeline",
    "unresolved_incidents",
    "upcoming_maintenances",
    "update_of_incident",
    "update_template_for",
    "update_templates",
    "with_timeline",
    "worst_component_status",
]
