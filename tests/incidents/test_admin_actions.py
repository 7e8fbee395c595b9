"""Recovery actions in the console: inline on the incident page, their own screens, the
dashboard of open and overdue actions, the reliability report and the exports."""

import json
from datetime import date, timedelta

import pytest
from django.utils import timezone

from incidents import services
from incidents.models import AuditEntry, RecoveryAction
from tests.factories import UserFactory
from tests.incidents.postmortem_data import hand_built_incident, make_components
from tests.incidents.test_admin import form_data

pytestmark = pytest.mark.django_db

ACTIONS_URL = "/admin/incidents/recoveryaction/"


@pytest.fixture
def incident():
    return hand_built_incident(make_components())


def incident_url(incident) -> str:
    return f"/admin/incidents/incident/{incident.pk}/change/"


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (RecoveryAction, AuditEntry)}


def test_actions_are_added_inline_on_the_incident_page(client, oncall, incident):
    client.force_login(oncall)
    data = form_data(client.get(incident_url(incident)), "incident_form")
    assert data["recovery_actions-TOTAL_FORMS"] == "1"
    data |= {
        "recovery_actions-0-kind": "prevent",
        "recovery_actions-0-title": "Canary every deploy",
        "recovery_actions-0-owner": str(oncall.pk),
        "recovery_actions-0-due_on": "2026-04-01",
        "recovery_actions-0-public": "on",
    }

    response = client.post(incident_url(incident), data)

    assert response.status_code == 302
    action = RecoveryAction.objects.get()
    assert (action.title, action.kind, action.owner, action.due_on, action.public) == (
        "Canary every deploy",
        "prevent",
        oncall,
        date(2026, 4, 1),
        True,
    )
    assert action.created_by == oncall
    assert incident.updates.count() == 4  # no update was posted


def test_declining_inline_needs_a_reason_and_writes_nothing_without_one(client, oncall, incident):
    action = services.create_recovery_action(incident=incident, title="Alert", kind="detect")
    client.force_login(oncall)
    data = form_data(client.get(incident_url(incident)), "incident_form")
    data["recovery_actions-0-state"] = "wont_do"
    before = row_counts()

    response = client.post(incident_url(incident), data)

    assert response.status_code == 200
    (inline,) = response.context["inline_admin_formsets"]
    assert inline.formset.errors[0] == {"wont_do_reason": ["Say why this action won't be done."]}
    assert row_counts() == before

    data["recovery_actions-0-wont_do_reason"] = "Covered by SLO alerts."
    assert client.post(incident_url(incident), data).status_code == 302
    action.refresh_from_db()
    assert (action.state, action.wont_do_reason) == ("wont_do", "Covered by SLO alerts.")


def test_an_action_is_completed_and_reopened_on_its_own_page(client, oncall, incident):
    action = services.create_recovery_action(incident=incident, title="Alert", kind="detect")
    client.force_login(oncall)
    page = f"{ACTIONS_URL}{action.pk}/change/"

    data = form_data(client.get(page), "recoveryaction_form") | {"state": "done"}
    assert client.post(page, data).status_code == 302
    action.refresh_from_db()
    assert (action.state, action.completed_at is not None) == ("done", True)

    data = form_data(client.get(page), "recoveryaction_form") | {"state": "in_progress"}
    assert client.post(page, data).status_code == 302
    action.refresh_from_db()
    assert (action.state, action.completed_at) == ("in_progress", None)
    assert list(
        AuditEntry.objects.filter(object_id=action.public_id)
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["create", "set_state_done", "set_state_open", "set_state_in_progress"]


def test_adding_an_action_from_its_own_screen(client, oncall, incident):
    client.force_login(oncall)
    add = f"{ACTIONS_URL}add/"
    data = form_data(client.get(f"{add}?incident={incident.pk}"), "recoveryaction_form")
    data |= {"kind": "process", "title": "Rehearse the rollback", "tracker_url": "not a url"}

    response = client.post(add, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"tracker_url": ["Enter a valid URL."]}
    assert RecoveryAction.objects.count() == 0

    data["tracker_url"] = "tracker.example/OPS-1"
    assert client.post(add, data).status_code == 302
    action = RecoveryAction.objects.get()
    assert (action.incident, action.tracker_url) == (incident, "https://tracker.example/OPS-1")


def test_the_dashboard_lists_overdue_and_open_actions(client, viewer, incident):
    today = timezone.now().date()
    owner = UserFactory(username="aiko", email="")

    def add(title, due_on, **fields):
        return services.create_recovery_action(
            incident=incident, title=title, kind="prevent", due_on=due_on, **fields
        )

    add("Late work", today - timedelta(days=3), owner=owner)
    add("Later work", today + timedelta(days=3))
    services.complete_recovery_action(action=add("Finished work", today - timedelta(days=9)))
    client.force_login(viewer)

    response = client.get(f"{ACTIONS_URL}dashboard/")

    assert response.status_code == 200
    assert [a.title for a in response.context["overdue"]] == ["Late work"]
    assert [a.title for a in response.context["upcoming"]] == ["Later work"]
    html = response.content.decode()
    assert "1 overdue action" in html
    assert "no email: not chased" in html
    assert "Finished work" not in html
    overdue = client.get(f"{ACTIONS_URL}?due=overdue")
    assert [a.title for a in overdue.context["cl"].result_list] == ["Late work"]


def test_the_reliability_report_renders_per_month(client, viewer, incident):
    client.force_login(viewer)

    response = client.get("/admin/incidents/postmortem/reliability/?months=12")

    assert response.status_code == 200
    assert len(response.context["reports"]) == 12
    march = next(r for r in response.context["reports"] if r.first_day == date(2026, 3, 1))
    assert march.incidents == 1
    assert "Mean time to resolve" in response.content.decode()


def test_the_admin_exports_incidents_as_markdown_and_json(client, oncall, incident):
    client.force_login(oncall)
    data = {"action": "export_json", "_selected_action": [incident.pk]}

    response = client.post("/admin/incidents/incident/", data)

    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="incidents-')
    (document,) = json.loads(response.content)
    assert (document["name"], document["postmortem"], document["recovery_actions"]) == (
        "API errors",
        None,
        [],
    )
    data["action"] = "export_markdown"
    markdown = client.post("/admin/incidents/incident/", data).content.decode()
    assert markdown.startswith("# API errors\n")


@pytest.mark.parametrize(
    "path",
    [
        "postmortem/",
        "postmortem/add/",
        "recoveryaction/",
        "recoveryaction/add/",
        "recoveryaction/dashboard/",
        "postmortem/reliability/",
    ],
)
def test_every_new_screen_renders_for_a_superuser(admin_client, incident, path):
    services.start_postmortem(incident=incident)
    assert admin_client.get(f"/admin/incidents/{path}").status_code == 200


def test_a_viewer_cannot_add_or_change_actions(client, viewer, incident):
    action = services.create_recovery_action(incident=incident, title="Alert", kind="detect")
    client.force_login(viewer)
    before = row_counts()

    assert client.get(f"{ACTIONS_URL}add/").status_code == 403
    response = client.post(f"{ACTIONS_URL}{action.pk}/change/", {"state": "done"})

    assert response.status_code == 403
    assert row_counts() == before
