"""Every write path and the audit row it leaves: the list. Each service the domain and the
notifications export is either a write that records its row (the action it records) or says
why it records none; a new service must be put in one list or the other. The entry points that
are not services (sign-ins, members, roles, exports, the kill switch's API shortcut…) are
listed with the tests that prove them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents import services
from incidents.models import AuditEntry, RecoveryAction
from notify import services as notify_services
from notify.models import Delivery, Subscriber

pytestmark = pytest.mark.django_db

# The writes of the incidents domain and the action each records.
INCIDENT_WRITES = {
    "add_timeline_entry": "add_timeline_entry",
    "archive_component": "archive",
    "complete_maintenance": "post_update",
    "complete_recovery_action": "set_state_done",
    "create_alert_integration": "create",
    "create_api_key": "create_api_key",
    "create_component": "create",
    "create_component_group": "create",
    "create_recovery_action": "create",
    "deactivate_member": "edit_member",  # incidents.account_audit, as any change of a member
    "declare_incident": "declare",
    "decline_recovery_action": "set_state_wont_do",
    "delete_alert_rule": "delete_rule",
    "delete_component_group": "delete",
    "delete_timeline_entry": "delete_timeline_entry",
    "delete_update_template": "delete",
    "discard_draft": "discard",
    "edit_alert_integration": "edit",
    "edit_component": "edit",
    "edit_component_group": "edit",
    "edit_incident": "edit",
    "edit_maintenance": "edit",
    "edit_page_settings": "edit",
    "edit_postmortem": "edit",
    "edit_recovery_action": "edit",
    "edit_timeline_entry": "edit_timeline_entry",
    "edit_update_text": "edit_update_text",
    "forget_idempotency_keys": "forget_idempotency_keys",
    "mark_action_chased": "chase",
    "note_api_key_use": "use_api_key",
    "post_maintenance_update": "post_update",
    "post_update": "post_update",
    "publish_draft": "publish",
    "publish_due_drafts": "publish",
    "publish_postmortem": "publish",
    "receive_alerts": "receive_alerts",
    "record_audit": "(any)",
    "record_export": "export",
    "reopen_incident": "reopen",
    "reopen_recovery_action": "set_state_open",
    "replace_alert_token": "replace_token",
    "resolve_incident": "post_update",
    "restore_component": "restore",
    "return_to_draft": "return_to_draft",
    "revoke_api_key": "revoke_api_key",
    "run_due_maintenance": "post_update",
    "save_alert_rule": "save_rule",
    "save_update_template": "save",
    "schedule_maintenance": "schedule",
    "send_due_reminders": "remind",
    "set_page_logo": "edit",
    "sign_off_review": "sign_off_review",
    "start_maintenance": "post_update",
    "start_postmortem": "start_postmortem",
    "start_recovery_action": "set_state_in_progress",
    "submit_for_review": "submit_for_review",
    "unpublish_postmortem": "unpublish",
}
INCIDENT_NOT_WRITES = {
    "claim_idempotency_key": "part of the write it guards, which records the row",
    "claim_update_reminder": "claims a silence's interval for its reminder, which changes "
    "nothing on the page (docs/operations.md: update reminders)",
    "record_idempotent_result": "part of the write it guards, which records the row",
    "remember_language": "the language the console speaks to a member: their own preference",
    "set_component_status": "called inside post_update, edit_component, receive_alerts and "
    "maintenance, which record the row (and the status history keeps every change)",
}

# The writes of the notifications and the action each records.
NOTIFY_WRITES = {
    "confirm": "confirm",
    "confirm_phone": "confirm",
    "confirm_with_code": "confirm",
    "pause_sending": "pause_sending",
    "reactivate": "reactivate",
    "resend_confirmation": "resend_confirmation",
    "resolve_unknown": "resolve_delivery",
    "resubscribe_phone": "resume",
    "resume": "resume",
    "resume_sending": "resume_sending",
    "retry_deliveries": "retry_deliveries",
    "subscribe": "subscribe",
    "subscribe_confirmed": "subscribe_confirmed",
    "unsubscribe": "unsubscribe",
    "unsubscribe_many": "unsubscribe",
    "unsubscribe_phone": "unsubscribe",
    "update_subscription": "update_subscription",
}
NOTIFY_NOT_WRITES = {
    "count_sms_outcome": "a delivery's outcome (the delivery log); a suspension it causes is "
    "audited (notify.delivery.claims.note_failure: suspend)",
    "issue_confirmation_code": "the answer to a sign-up, which records the row",
    "record_sms_status": "a delivery's outcome, kept on the delivery (the delivery log)",
    "set_switch": "inside pause_sending and resume_sending, which record the row",
    "settle_unknown_sms": "a delivery's outcome, kept on the delivery (the delivery log)",
    "take_code_try": "counts a try of a code, as part of confirm_with_code",
    "sms_code_hash": "no write",
    "unusable_code_reason": "no write",
    "wrong_code_message": "no write",
}

# Writes that are not services, and the tests that prove their rows.
OTHER_WRITES = {
    "sign_in, sign_out, sign_in_refused, sign_in_locked_out": "test_audit_trail_accounts.py",
    "second_factor_refused, enrol_second_factor, use_recovery_code": "test_audit_trail_accounts"
    ".py, tests/statuspage/test_second_factor.py",
    "create_member, edit_member, delete_member": "test_audit_trail_accounts.py",
    "change_roles, change_role_permissions, create/rename/delete_role": "test_audit_trail_"
    "accounts.py",
    "lift_lockout, remove_second_factor, remove_recovery_codes": "test_audit_trail_accounts.py",
    "export (audit log, incidents, subscribers, export_incident)": "test_audit_trail_console.py",
    "import_subscribers": "tests/notify/test_admin_subscribers.py",
    "suspend (delivery failures, e-mail provider bounces), unsubscribe (complaints)": "this file",
}


def public_names(module) -> set[str]:
    return {name for name in module.__all__ if name[:1].islower()}


def test_every_service_is_listed_as_an_audited_write_or_says_why_not():
    incidents_listed = INCIDENT_WRITES.keys() | INCIDENT_NOT_WRITES.keys()
    notify_listed = NOTIFY_WRITES.keys() | NOTIFY_NOT_WRITES.keys()

    assert public_names(services) == incidents_listed
    assert public_names(notify_services) == notify_listed
    assert not INCIDENT_WRITES.keys() & INCIDENT_NOT_WRITES.keys()
    assert not NOTIFY_WRITES.keys() & NOTIFY_NOT_WRITES.keys()
    assert OTHER_WRITES


def last_row(**lookups) -> tuple:
    entry = AuditEntry.objects.exclude(object_type="user").filter(**lookups).latest("id")
    return (entry.action, entry.object_type, entry.source)


@pytest.fixture
def action(outage):
    return services.create_recovery_action(
        incident=outage, kind="repair", title="Add a retry", actor=None
    )


def test_the_incident_writes_leave_their_rows(outage, action, components):
    today = timezone.localdate()
    steps = [
        (lambda: services.post_update(incident=outage, status="identified", body="Found."),
         "post_update", "incident"),
        (lambda: services.resolve_incident(incident=outage, body="Fixed."),
         "post_update", "incident"),
        (lambda: services.reopen_incident(incident=outage, body="Back."), "post_update",
         "incident"),
        (lambda: services.start_recovery_action(action=action), "set_state_in_progress",
         "recoveryaction"),
        (lambda: services.complete_recovery_action(action=action), "set_state_done",
         "recoveryaction"),
        (lambda: services.reopen_recovery_action(action=action), "set_state_open",
         "recoveryaction"),
        (lambda: services.decline_recovery_action(action=action, reason="No."),
         "set_state_wont_do", "recoveryaction"),
        (lambda: services.create_component_group(name="Core"), "create", "componentgroup"),
        (lambda: services.archive_component(component=components["Web"]), "archive",
         "component"),
        (lambda: services.restore_component(component=components["Web"]), "restore",
         "component"),
        (lambda: services.save_update_template(name="Ok", title="Ok", body="Ok."), "save",
         "updatetemplate"),
        (lambda: services.edit_page_settings(name="Acme"), "edit", "pagesettings"),
    ]  # fmt: skip
    for step, expected_action, object_type in steps:
        step()
        assert last_row() == (expected_action, object_type, "command")
    RecoveryAction.objects.filter(pk=action.pk).update(state="open", due_on=today - timedelta(1))
    assert services.mark_action_chased(action=action, today=today)
    assert last_row() == ("chase", "recoveryaction", "command")


def test_the_notification_writes_leave_their_rows(components):
    sub = notify_services.subscribe(channel="email", address="ann@example.com")
    steps = [
        (lambda: notify_services.confirm(subscriber=sub), "confirm"),
        (lambda: notify_services.update_subscription(
            subscriber=sub, components=[components["API"]], language="ja"),
         "update_subscription"),
        (lambda: notify_services.unsubscribe(subscriber=sub), "unsubscribe"),
        (lambda: notify_services.resume(subscriber=sub), "resume"),
        (lambda: notify_services.unsubscribe_many(subscribers=[sub], actor=None), "unsubscribe"),
        (lambda: notify_services.pause_sending(reason="test"), "pause_sending"),
        (lambda: notify_services.resume_sending(), "resume_sending"),
    ]  # fmt: skip
    assert last_row() == ("subscribe", "subscriber", "command")
    for step, expected_action in steps:
        step()
        assert last_row()[0] == expected_action
    updated = AuditEntry.objects.get(action="update_subscription")
    assert updated.changes == {"language": ["en", "ja"], "components": ["(all)", "API"]}


def test_automatic_suspensions_are_audited(components, outage):
    from notify.delivery.claims import SUSPEND_AFTER_FAILURES, note_failure
    from notify.email_feedback import record_email_event

    bounced = Subscriber.objects.create(channel="email", address="gone@example.com")
    failing = Subscriber.objects.create(channel="email", address="full@example.com")

    record_email_event(
        event_type="bounced", message_id=None, recipient="gone@example.com", reason="bounced"
    )
    for _ in range(SUSPEND_AFTER_FAILURES):
        note_failure(failing, "mailbox full")

    rows = AuditEntry.objects.filter(action="suspend").order_by("id")
    assert [(r.object_id, r.summary) for r in rows] == [
        (bounced.public_id, "bounced by the e-mail provider: bounced"),
        (failing.public_id, "mailbox full"),
    ]
    assert not Delivery.objects.exists()
