"""The audit trail that survives (issue 11, item 4): each write's row names who did it, from where
(the source and the client's address, as the trusted-proxy setting defines it), the object and
the changed fields' old and new values — never a secret."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from rest_framework.test import APIClient

from incidents import audit_context, selectors, services, tasks
from incidents.models import AlertIntegration, ApiKey, AuditEntry
from tests.api_keys import api_key_for
from tests.incidents.test_admin import declare_through_admin

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def written(**lookups) -> AuditEntry:
    """The one audit row of a write (the members' own rows left aside)."""
    return AuditEntry.objects.exclude(object_type="user").get(**lookups)


def row(entry: AuditEntry) -> tuple:
    return (entry.action, entry.actor_name, entry.source, entry.address)


# --- Where a write comes from ------------------------------------------------------------------


def test_a_console_write_names_the_member_the_console_and_their_address(client, oncall, components):
    client.force_login(oncall)
    client.defaults["REMOTE_ADDR"] = "198.51.100.7"

    incident = declare_through_admin(client, components)

    entry = written(action="declare")
    assert row(entry) == ("declare", "oncall", "console", "198.51.100.7")
    assert (entry.object_type, entry.object_id, entry.object_repr) == (
        "incident",
        incident.public_id,
        "API and web are down",
    )
    assert entry.changes == {
        "status": ["", "investigating"],
        "component API": ["operational", "major_outage"],
        "component Web": ["operational", "major_outage"],
    }


def test_behind_the_trusted_proxy_the_address_is_the_one_it_saw(
    client, oncall, components, settings
):
    settings.NOROSHI_TRUSTED_PROXIES = 1
    client.force_login(oncall)
    client.defaults["REMOTE_ADDR"] = "10.0.0.2"  # the proxy
    # A client may send any X-Forwarded-For: only the entry our proxy appended is believed.
    client.defaults["HTTP_X_FORWARDED_FOR"] = "6.6.6.6, 203.0.113.9"

    declare_through_admin(client, components)

    assert written(action="declare").address == "203.0.113.9"


def test_without_a_trusted_proxy_a_forwarded_address_is_not_believed(
    client, oncall, components, settings
):
    settings.NOROSHI_TRUSTED_PROXIES = 0
    client.force_login(oncall)
    client.defaults["REMOTE_ADDR"] = "198.51.100.7"
    client.defaults["HTTP_X_FORWARDED_FOR"] = "6.6.6.6"

    declare_through_admin(client, components)

    assert written(action="declare").address == "198.51.100.7"


def test_an_api_write_names_the_key_by_its_prefix_never_its_secret(oncall, components, settings):
    secret = api_key_for(oncall)
    api = APIClient(REMOTE_ADDR="192.0.2.44")
    api.credentials(HTTP_AUTHORIZATION=f"OAuth {secret}")
    page = selectors.page_settings().public_id

    created = api.post(
        f"/api/v1/pages/{page}/incidents",
        {"incident": {"name": "Checkout errors", "body": "Looking into it."}},
        format="json",
    )

    assert created.status_code == 201, created.json()
    prefix = ApiKey.objects.get().prefix
    assert row(written(action="declare")) == (
        "declare",
        "oncall",
        f"api key {prefix}",
        "192.0.2.44",
    )
    assert row(written(action="use_api_key"))[2:] == (f"api key {prefix}", "192.0.2.44")
    assert not AuditEntry.objects.filter(source__contains=secret).exists()


def test_alerts_in_name_their_integration(client, components):
    made = services.create_alert_integration(name="Grafana", kind="generic", actor=None)

    answer = client.post(
        f"/api/v1/integrations/generic/{made.token}",
        {"title": "Checkout errors", "state": "alerting"},
        content_type="application/json",
        REMOTE_ADDR="192.0.2.80",
    )

    assert answer.status_code == 200, answer.content
    assert row(written(action="receive_alerts")) == (
        "receive_alerts",
        "",
        "alerts Grafana",
        "192.0.2.80",
    )
    assert made.token not in str(list(AuditEntry.objects.values()))


def test_what_beat_runs_comes_from_beat(components):
    with time_machine.travel(T0, tick=False):
        window = services.schedule_maintenance(
            name="Database upgrade",
            body="We will upgrade the primary database.",
            scheduled_for=T0 + timedelta(minutes=30),
            scheduled_until=T0 + timedelta(hours=2),
            components=[components["Database"]],
            remind_minutes_before=60,
        )
        tasks.send_maintenance_reminders.delay()
    with time_machine.travel(T0 + timedelta(minutes=31), tick=False):
        tasks.run_due_maintenance.delay()

    assert row(written(action="schedule")) == ("schedule", "", "command", None)
    assert row(written(action="remind")) == ("remind", "", "beat", None)
    started = written(action="post_update", object_id=window.public_id)
    assert row(started) == ("post_update", "", "beat", None)
    assert started.changes == {
        "status": ["scheduled", "in_progress"],
        "component Database": ["operational", "under_maintenance"],
    }


def test_a_task_run_inside_a_request_gives_the_request_its_source_back():
    with audit_context.audit_source("console", address="192.0.2.1"):
        tasks.forget_idempotency_keys.delay()
        assert audit_context.current_source().source == "console"
    assert audit_context.current_source().source == "command"


# --- Before and after --------------------------------------------------------------------------


def test_an_edit_keeps_each_changed_field_old_and_new(components):
    component = components["API"]

    services.edit_component(
        component=component, actor=None, description="Public API", status="partial_outage"
    )

    edit = written(action="edit")
    assert edit.summary == "description"
    assert edit.changes == {"description": ["", "Public API"]}
    assert written(action="set_status").changes == {"status": ["operational", "partial_outage"]}


def test_values_are_cut_short_and_times_written_in_utc(outage):
    services.edit_incident(incident=outage, actor=None, name="x" * 200)

    [old, new] = written(action="edit").changes["name"]
    assert old == "Elevated API errors"
    assert (len(new), new[-1]) == (200, "x")

    entry = services.record_audit(
        actor=None,
        action="edit",
        target=outage,
        changes={"body": ("", "y" * 500), "started_at": (None, T0)},
    )
    assert entry.changes["body"][1] == "y" * 199 + "…"
    assert entry.changes["started_at"] == ["", "2026-05-01T09:00:00+00:00"]


def test_secrets_are_never_written_only_that_they_changed(components):
    made = services.create_alert_integration(name="Prometheus", actor=None)
    before = AlertIntegration.objects.get().token_digest

    services.replace_alert_token(integration=made.integration, actor=None)
    entry = services.record_audit(
        actor=None,
        action="edit",
        target=made.integration,
        changes={"token_digest": (before, "new"), "password": ("a", "b"), "name": ("a", "b")},
        secret_fields=["name"],
    )

    assert entry.changes == {
        "token_digest": ["(hidden)", "(hidden)"],
        "password": ["(hidden)", "(hidden)"],
        "name": ["(hidden)", "(hidden)"],
    }
    assert before not in str(list(AuditEntry.objects.values()))


def test_an_edit_that_changes_nothing_writes_no_row(components):
    audited = AuditEntry.objects.count()

    services.edit_component(component=components["API"], actor=None, name="API")

    assert AuditEntry.objects.count() == audited


def test_the_actor_name_is_kept_as_written_when_the_member_is_renamed(oncall, components):
    services.create_component(name="Search", actor=oncall)
    oncall.username = "someone.else"
    oncall.save()

    assert written(action="create", object_repr="Search").actor_name == "oncall"
