"""Incident templates through the management API: listed and created as Statuspage's."""

import pytest

from incidents.models import UpdateTemplate

pytestmark = pytest.mark.django_db


def test_create_and_list_templates(api, base):
    created = api.post(
        f"{base}/incident_templates",
        {
            "template": {
                "name": "Fixed",
                "title": "Resolved",
                "body": "All good.",
                "update_status": "resolved",
            }
        },
        format="json",
    )

    assert created.status_code == 201, created.json()
    assert created.json()["update_status"] == "resolved"
    template = UpdateTemplate.objects.get()
    assert (template.kind, template.status, template.body) == ("incident", "resolved", "All good.")
    listed = api.get(f"{base}/incident_templates").json()
    assert [t["name"] for t in listed] == ["Fixed"]


def test_a_maintenance_status_makes_a_maintenance_template(api, base):
    api.post(
        f"{base}/incident_templates",
        {"template": {"name": "Starting", "body": "Work begins.", "update_status": "in_progress"}},
        format="json",
    )

    assert UpdateTemplate.objects.get().kind == "maintenance"


def test_a_template_without_a_body_is_refused(api, base, viewer_api):
    refused = api.post(f"{base}/incident_templates", {"template": {"name": "X"}}, format="json")
    viewer = viewer_api.post(
        f"{base}/incident_templates", {"template": {"name": "X", "body": "Y"}}, format="json"
    )

    assert refused.status_code == 400
    assert refused.json()["fields"] == {"template.body": "This field is required."}
    assert viewer.status_code == 403
    assert not UpdateTemplate.objects.exists()
