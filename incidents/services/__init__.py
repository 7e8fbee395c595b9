"""Every write of the incidents domain. Each service is atomic, validates first (raising
django.core.exceptions.ValidationError and writing nothing on bad input) and records an audit row.
"""

from incidents.services.actions import (
    complete_recovery_action,
    create_recovery_action,
    decline_recovery_action,
    edit_recovery_action,
    mark_action_chased,
    reopen_recovery_action,
    start_recovery_action,
)
from incidents.services.alerts import AlertDelivery, IncomingAlert, Receipt, receive_alerts
from incidents.services.api_keys import create_api_key, note_api_key_use, revoke_api_key
from incidents.services.audit import record_audit, record_export
from incidents.services.branding import set_page_logo
from incidents.services.components import (
    archive_component,
    create_component,
    create_component_group,
    delete_component_group,
    edit_component,
    edit_component_group,
    restore_component,
    set_component_status,
)
from incidents.services.drafts import discard_draft, publish_draft, publish_due_drafts
from incidents.services.idempotency import (
    claim_idempotency_key,
    forget_idempotency_keys,
    record_idempotent_result,
)
from incidents.services.incidents import (
    declare_incident,
    edit_incident,
    post_update,
    reopen_incident,
    resolve_incident,
)
from incidents.services.integrations import (
    NewToken,
    create_alert_integration,
    delete_alert_rule,
    edit_alert_integration,
    replace_alert_token,
    save_alert_rule,
)
from incidents.services.maintenance import (
    complete_maintenance,
    edit_maintenance,
    post_maintenance_update,
    run_due_maintenance,
    schedule_maintenance,
    send_due_reminders,
    start_maintenance,
)
from incidents.services.members import deactivate_member, remember_language
from incidents.services.page import delete_update_template, edit_page_settings, save_update_template
from incidents.services.postmortems import (
    add_timeline_entry,
    delete_timeline_entry,
    edit_postmortem,
    edit_timeline_entry,
    publish_postmortem,
    return_to_draft,
    sign_off_review,
    start_postmortem,
    submit_for_review,
    unpublish_postmortem,
)
from incidents.services.reminders import claim_update_reminder
from incidents.services.update_edits import edit_update_text

__all__ = [
    "AlertDelivery",
    "IncomingAlert",
    "NewToken",
    "Receipt",
    "add_timeline_entry",
    "archive_component",
    "claim_idempotency_key",
    "claim_update_reminder",
    "complete_maintenance",
    "complete_recovery_action",
    "create_alert_integration",
    "create_api_key",
    "create_component",
    "create_component_group",
    "create_recovery_action",
    "deactivate_member",
    "declare_incident",
    "decline_recovery_action",
    "delete_alert_rule",
    "delete_component_group",
    "delete_timeline_entry",
    "delete_update_template",
    "discard_draft",
    "edit_alert_integration",
    "edit_component",
    "edit_component_group",
    "edit_incident",
    "edit_maintenance",
    "edit_page_settings",
    "edit_postmortem",
    "edit_recovery_action",
    "edit_timeline_entry",
    "edit_update_text",
    "forget_idempotency_keys",
    "mark_action_chased",
    "note_api_key_use",
    "post_maintenance_update",
    "post_update",
    "publish_draft",
    "publish_due_drafts",
    "publish_postmortem",
    "receive_alerts",
    "record_audit",
    "record_export",
    "record_idempotent_result",
    "remember_language",
    "reopen_incident",
    "reopen_recovery_action",
    "replace_alert_token",
    "resolve_incident",
    "restore_component",
    "return_to_draft",
    "revoke_api_key",
    "run_due_maintenance",
    "save_alert_rule",
    "save_update_template",
    "schedule_maintenance",
    "send_due_reminders",
    "set_component_status",
    "set_page_logo",
    "sign_off_review",
    "start_maintenance",
    "start_postmortem",
    "start_recovery_action",
    "submit_for_review",
    "unpublish_postmortem",
]
