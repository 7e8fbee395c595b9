"""An alert's draft is on no public surface: not the page, its roll-up, /api/v2, the feeds,
the history, the badges, the uptime page's incidents, nor the incident's own page or sign-up;
the page's updated_at does not move for it. Once published, it is everywhere the public looks.
The components a draft changes do show: that is monitoring-driven status."""

import pytest

from incidents import selectors, services
from incidents.models import Component, Incident
from tests.alert_data import alertmanager_body, am_alert, make_integration, post_alerts

pytestmark = pytest.mark.django_db

NAME = "Checkout is failing everywhere"
PUBLIC_PAGES = (
    "/",
    "/history",
    "/uptime",
    "/history.rss",
    "/history.atom",
    "/maintenance.ics",
    "/api/v2/summary.json",
    "/api/v2/incidents.json",
    "/api/v2/incidents/unresolved.json",
)


@pytest.fixture
def draft(client, components) -> Incident:
    """A critical draft naming API, from an integration that changes no component."""
    _, token = make_integration(component_status="", rules={("service", "api"): components["API"]})
    post_alerts(client, token, alertmanager_body(am_alert(service="api", summary=NAME)))
    incident = Incident.objects.get()
    services.edit_incident(incident=incident, impact_override="critical")
    return incident


def text_of(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def test_a_draft_is_on_no_public_surface(client, draft, components):
    assert draft.impact == "critical"
    for path in PUBLIC_PAGES:
        assert NAME not in text_of(client, path), path
        assert draft.public_id not in text_of(client, path), path
    assert NAME not in text_of(client, f"/uptime/{components['API'].public_id}")
    assert client.get(f"/incidents/{draft.public_id}").status_code == 404
    assert client.get(f"/incidents/{draft.public_id}/subscribe").status_code == 404
    status = client.get("/api/v2/status.json").json()["status"]
    assert status == {"indicator": "none", "description": "All Systems Operational"}
    summary = client.get("/api/v2/summary.json").json()
    assert (summary["incidents"], summary["status"]["indicator"]) == ([], "none")
    assert selectors.page_status().indicator == "none"
    assert "operational" in text_of(client, "/badge.svg")


def test_the_selectors_of_the_public_leave_drafts_out(draft, components):
    assert list(selectors.unresolved_incidents()) == []
    assert list(selectors.recent_incidents()) == []
    assert list(selectors.recent_history(limit=10)) == []
    assert selectors.first_incident_start() is None
    assert selectors.incidents_started_since(draft.started_at) == []
    assert (
        list(
            selectors.incidents_touching(
                [components["API"].pk], since=draft.started_at, until=draft.started_at
            )
        )
        == []
    )
    with pytest.raises(Incident.DoesNotExist):
        selectors.incident_by_public_id(draft.public_id)


def test_a_draft_does_not_move_the_page_s_updated_at(client, components):
    _, before = selectors.page_settings_with_updated_at()
    _, token = make_integration(component_status="", rules={("service", "api"): components["API"]})
    post_alerts(client, token, alertmanager_body(am_alert(service="api")))

    _, after = selectors.page_settings_with_updated_at()

    assert after == before


def test_the_components_a_draft_changes_show_on_the_page(client, components):
    _, token = make_integration(rules={("service", "api"): components["API"]})
    post_alerts(client, token, alertmanager_body(am_alert(service="api", summary=NAME)))

    summary = client.get("/api/v2/summary.json").json()

    api = next(c for c in summary["components"] if c["name"] == "API")
    assert api["status"] == "major_outage"
    assert summary["status"]["indicator"] == "major"  # from the component, not the draft
    assert summary["incidents"] == []


def test_once_published_it_is_where_the_public_looks(client, draft):
    services.publish_draft(incident=draft)

    assert client.get(f"/incidents/{draft.public_id}").status_code == 200
    summary = client.get("/api/v2/summary.json").json()
    assert [i["name"] for i in summary["incidents"]] == [NAME]
    assert summary["status"]["indicator"] == "critical"
    for path in ("/", "/history", "/history.rss", "/api/v2/incidents.json"):
        assert NAME in text_of(client, path), path
    assert Component.objects.get(name="API").status == "operational"
