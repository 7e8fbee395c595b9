"""Every write of the incidents domain. Each service is atomic, validates first (raising
django.core.exceptions.ValidationError and writing nothing on bad input) and records an audit row.
"""

from incidents.services.audit import record_audit
from incidents.services.components import (
    create_component,
    create_component_group,
    delete_component,
    delete_component_group,
    edit_component,
    edit_component_group,
    set_component_status,
)
from incidents.services.incidents import (
    declare_incident,
    edit_incident,
    post_update,
    reopen_incident,
    resolve_incident,
)
from incidents.services.maintenance import (
    complete_maintenance,
    edit_maintenance,
    post_maintenance_update,
    run_due_maintenance,
    schedule_maintenance,
    start_maintenance,
)
from incidents.services.page import delete_update_template, edit_page_settings, save_update_template

__all__ = [
    "complete_maintenance",
    "create_component",
    "create_component_group",
    "declare_incident",
    "delete_component",
    "delete_component_group",
    "delete_update_template",
    "edit_component",
    "edit_component_group",
    "edit_incident",
    "edit_maintenance",
    "edit_page_settings",
    "post_maintenance_update",
    "post_update",
    "record_audit",
    "reopen_incident",
    "resolve_incident",
    "run_due_maintenance",
    "save_update_template",
    "schedule_maintenance",
    "set_component_status",
    "start_maintenance",
]
