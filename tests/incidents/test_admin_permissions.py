"""Who may do what in the console: viewers look, on-call engineers post, and every screen
renders for a superuser."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents import services
from tests.factories import UpdateTemplateFactory
from tests.incidents.test_admin import change_url, row_counts

pytestmark = pytest.mark.django_db


def test_a_viewer_can_look_but_not_post(client, viewer, components):
    incident = services.declare_incident(
        name="API down",
        body="Investigating.",
        component_statuses={components["API"]: "major_outage"},
    )
    maintenance = services.schedule_maintenance(
        name="Database upgrade",
        body="Planned.",
        scheduled_for=timezone.now() + timedelta(hours=1),
        scheduled_until=timezone.now() + timedelta(hours=2),
    )
    client.force_login(viewer)
    for model in ("incident", "scheduledmaintenance", "component", "componentgroup"):
        assert client.get(f"/admin/incidents/{model}/").status_code == 200, model
        assert client.get(f"/admin/incidents/{model}/add/").status_code == 403, model
    for model in ("componentstatuschange", "auditentry", "updatetemplate"):
        assert client.get(f"/admin/incidents/{model}/").status_code == 200, model
    for url in (
        change_url(incident),
        f"/admin/incidents/scheduledmaintenance/{maintenance.pk}/change/",
        f"/admin/incidents/component/{components['API'].pk}/change/",
    ):
        assert client.get(url).status_code == 200, url

    page = client.get(change_url(incident))
    html = page.content.decode()
    assert "Investigating." in html  # the timeline
    assert "update_body" not in html
    assert 'name="_save"' not in html
    before = row_counts()
    response = client.post(
        change_url(incident),
        {"update_action": "post", "update_status": "resolved", "update_body": "Fixed."},
    )
    assert response.status_code == 403
    assert row_counts() == before


ALL_MODELS = (
    "component",
    "componentgroup",
    "componentstatuschange",
    "incident",
    "scheduledmaintenance",
    "updatetemplate",
    "pagesettings",
    "auditentry",
)
ADDABLE_MODELS = (
    "component",
    "componentgroup",
    "incident",
    "scheduledmaintenance",
    "updatetemplate",
)


@pytest.mark.parametrize("model", ALL_MODELS)
def test_every_changelist_renders_for_a_superuser(admin_client, components, model):
    services.declare_incident(name="API down", body="Investigating.")
    response = admin_client.get(f"/admin/incidents/{model}/", follow=True)
    assert response.status_code == 200


@pytest.mark.parametrize("model", ADDABLE_MODELS)
def test_every_add_page_renders_for_a_superuser(admin_client, components, model):
    UpdateTemplateFactory()
    assert admin_client.get(f"/admin/incidents/{model}/add/").status_code == 200


def test_the_admin_index_lists_the_console(admin_client):
    html = admin_client.get("/admin/").content.decode()
    for name in ("Incidents", "Scheduled maintenances", "Components", "Page settings"):
        assert name in html
