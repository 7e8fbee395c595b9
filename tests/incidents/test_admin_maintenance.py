"""Scheduled maintenance in the console: schedule a window, move it on, read its timeline."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents import selectors
from incidents.models import ComponentStatusChange, IncidentUpdate, ScheduledMaintenance
from tests.incidents.test_admin import form_data, form_errors, row_counts

pytestmark = pytest.mark.django_db

MAINTENANCE_URL = "/admin/incidents/scheduledmaintenance/"


@pytest.fixture
def oncall_client(client, oncall):
    client.force_login(oncall)
    return client


def split(prefix: str, when) -> dict:
    when = timezone.localtime(when)
    return {f"{prefix}_0": when.strftime("%Y-%m-%d"), f"{prefix}_1": when.strftime("%H:%M:%S")}


def schedule_through_admin(client, components) -> ScheduledMaintenance:
    now = timezone.now()
    data = form_data(client.get(f"{MAINTENANCE_URL}add/"), "scheduledmaintenance_form")
    assert (data["auto_start"], data["auto_complete"], data["notify"]) == ("on", "on", "on")
    data |= {
        "name": "Database upgrade",
        "body": "We will upgrade the database; the API may be slow.",
        **split("scheduled_for", now + timedelta(hours=1)),
        **split("scheduled_until", now + timedelta(hours=2)),
        "components": [str(components["API"].pk), str(components["Database"].pk)],
        "remind_minutes_before": "30",
    }
    response = client.post(f"{MAINTENANCE_URL}add/", data)
    assert response.status_code == 302, form_errors(response)
    return ScheduledMaintenance.objects.get()


def post_update(client, maintenance, **fields):
    url = f"{MAINTENANCE_URL}{maintenance.pk}/change/"
    data = form_data(client.get(url), "scheduledmaintenance_form")
    return client.post(url, data | fields)


def test_scheduling_and_starting_puts_the_components_under_maintenance(oncall_client, components):
    maintenance = schedule_through_admin(oncall_client, components)
    assert (maintenance.kind, maintenance.status, maintenance.remind_minutes_before) == (
        "maintenance",
        "scheduled",
        30,
    )
    assert set(maintenance.components.all()) == {components["API"], components["Database"]}
    assert set(ComponentStatusChange.objects.values_list("source", flat=True)) == {"created"}

    response = post_update(
        oncall_client,
        maintenance,
        update_status="in_progress",
        update_body="The upgrade has started.",
    )

    assert response.status_code == 302, form_errors(response)
    for component in components.values():
        component.refresh_from_db()
    assert {c.name: c.status for c in components.values()} == {
        "API": "under_maintenance",
        "Web": "operational",
        "Database": "under_maintenance",
    }
    changes = ComponentStatusChange.objects.filter(source="maintenance")
    assert sorted((c.component.name, c.old_status, c.new_status) for c in changes) == [
        ("API", "operational", "under_maintenance"),
        ("Database", "operational", "under_maintenance"),
    ]
    maintenance.refresh_from_db()
    assert maintenance.status == "in_progress"
    assert selectors.page_status().indicator == "maintenance"


def test_completing_returns_the_components_and_closes_the_update_form(oncall_client, components):
    maintenance = schedule_through_admin(oncall_client, components)
    post_update(oncall_client, maintenance, update_status="in_progress", update_body="Started.")

    response = post_update(
        oncall_client, maintenance, update_status="completed", update_body="Done."
    )

    assert response.status_code == 302, form_errors(response)
    for component in components.values():
        component.refresh_from_db()
    assert {c.status for c in components.values()} == {"operational"}
    page = oncall_client.get(f"{MAINTENANCE_URL}{maintenance.pk}/change/")
    assert "update_body" not in page.content.decode()
    assert [u.body for u in page.context["timeline"]] == [
        "Done.",
        "Started.",
        "We will upgrade the database; the API may be slow.",
    ]


def test_a_maintenance_cannot_go_back_and_nothing_is_written(oncall_client, components):
    maintenance = schedule_through_admin(oncall_client, components)
    post_update(oncall_client, maintenance, update_status="verifying", update_body="Checking.")
    before = row_counts()

    response = post_update(
        oncall_client, maintenance, update_status="scheduled", update_body="Postponed."
    )

    assert response.status_code == 200
    assert form_errors(response) == {
        "update_status": ["A maintenance can't go back from verifying to scheduled."]
    }
    assert row_counts() == before


def test_a_window_in_the_past_is_rejected_on_its_end(oncall_client, components):
    now = timezone.now()
    data = form_data(oncall_client.get(f"{MAINTENANCE_URL}add/"), "scheduledmaintenance_form")
    data |= {
        "name": "Old window",
        "body": "Too late.",
        **split("scheduled_for", now - timedelta(hours=2)),
        **split("scheduled_until", now - timedelta(hours=1)),
    }
    before = row_counts()

    response = oncall_client.post(f"{MAINTENANCE_URL}add/", data)

    assert form_errors(response) == {
        "scheduled_until": ["This window has already ended; pick an end in the future."]
    }
    assert row_counts() == before


def test_renaming_a_maintenance_posts_no_update(oncall_client, components):
    maintenance = schedule_through_admin(oncall_client, components)

    response = post_update(oncall_client, maintenance, name="Database 16 upgrade")

    assert response.status_code == 302, form_errors(response)
    maintenance.refresh_from_db()
    assert (maintenance.name, maintenance.status) == ("Database 16 upgrade", "scheduled")
    assert IncidentUpdate.objects.count() == 1


def test_the_lists_keep_incidents_and_maintenance_apart(admin_client, components):
    maintenance = schedule_through_admin(admin_client, components)
    assert list(admin_client.get(MAINTENANCE_URL).context["cl"].result_list) == [maintenance]
    assert list(admin_client.get("/admin/incidents/incident/").context["cl"].result_list) == []
    assert (
        admin_client.get(f"/admin/incidents/incident/{maintenance.pk}/change/").status_code == 302
    )
    scheduled = admin_client.get(f"{MAINTENANCE_URL}?status=scheduled")
    assert list(scheduled.context["cl"].result_list) == [maintenance]
    assert (
        list(admin_client.get(f"{MAINTENANCE_URL}?status=completed").context["cl"].result_list)
        == []
    )


def test_the_window_is_edited_through_the_change_form(oncall_client, components):
    maintenance = schedule_through_admin(oncall_client, components)
    later = timezone.now() + timedelta(days=1)
    response = post_update(
        oncall_client,
        maintenance,
        **split("scheduled_for", later),
        **split("scheduled_until", later + timedelta(hours=3)),
        components=[str(components["Web"].pk)],
    )
    assert response.status_code == 302, form_errors(response)
    maintenance.refresh_from_db()
    assert maintenance.scheduled_for.replace(microsecond=0) == later.replace(microsecond=0)
    assert list(maintenance.components.values_list("name", flat=True)) == ["Web"]
    assert maintenance.updates.count() == 1  # editing the window posts no update


def test_moving_a_started_window_start_shows_the_service_error(oncall_client, components):
    maintenance = schedule_through_admin(oncall_client, components)
    post_update(oncall_client, maintenance, update_status="in_progress", update_body="Started.")
    before = row_counts()
    response = post_update(
        oncall_client, maintenance, **split("scheduled_for", timezone.now() + timedelta(days=2))
    )
    assert response.status_code == 200
    assert form_errors(response) == {
        "scheduled_for": ["The window has started; its start can't move."]
    }
    assert row_counts() == before
