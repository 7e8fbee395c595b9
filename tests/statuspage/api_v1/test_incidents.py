"""Incidents and maintenance through the management API: declare, update, resolve, reopen,
backfill, schedule; lists and searches; delete refused; bad input writes nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.models import Component, Incident, IncidentUpdate
from tests.factories import UpdateTemplateFactory
from tests.statuspage.api_v1.conftest import audited_writes

pytestmark = pytest.mark.django_db


def declare(api, base, **fields):
    body = {"incident": {"name": "Checkout errors", "body": "Looking into it.", **fields}}
    response = api.post(f"{base}/incidents", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_declare_with_component_statuses(api, base, components):
    api_id = components["API"].public_id

    created = declare(
        api,
        base,
        status="identified",
        components={api_id: "major_outage"},
        impact_override="critical",
    )

    assert created["status"] == "identified"
    assert created["impact"] == "critical"
    assert created["impact_override"] == "critical"
    assert [c["id"] for c in created["components"]] == [api_id]
    assert created["incident_updates"][0]["body"] == "Looking into it."
    assert created["incident_updates"][0]["affected_components"][0]["new_status"] == "major_outage"
    assert Component.objects.get(public_id=api_id).status == "major_outage"
    assert set(created) >= {
        "id",
        "components",
        "created_at",
        "impact",
        "impact_override",
        "incident_updates",
        "metadata",
        "monitoring_at",
        "name",
        "page_id",
        "postmortem_body",
        "resolved_at",
        "scheduled_for",
        "scheduled_until",
        "shortlink",
        "status",
        "updated_at",
    }


def test_component_ids_join_the_incident_as_they_are(api, base, components):
    created = declare(api, base, component_ids=[components["Web"].public_id])

    assert [c["name"] for c in created["components"]] == ["Web"]
    assert Component.objects.get(name="Web").status == "operational"


def test_declare_form_encoded_like_statuspage_s_curl_examples(api, base, components):
    api_id = components["API"].public_id

    response = api.post(
        f"{base}/incidents",
        f"incident[name]=DNS trouble&incident[status]=investigating&incident[body]=Checking."
        f"&incident[components][{api_id}]=partial_outage&incident[deliver_notifications]=false",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 201, response.json()
    incident = Incident.objects.get(name="DNS trouble")
    assert incident.updates.get().deliver_notifications is False
    assert Component.objects.get(public_id=api_id).status == "partial_outage"


def test_an_unknown_component_or_status_writes_nothing(api, base, components):
    audited = audited_writes()
    responses = [
        api.post(
            f"{base}/incidents",
            {
                "incident": {
                    "name": "X",
                    "body": "Y",
                    "components": {"nosuchthing1": "major_outage"},
                }
            },
            format="json",
        ),
        api.post(
            f"{base}/incidents",
            {"incident": {"name": "X", "body": "Y", "status": "exploding"}},
            format="json",
        ),
    ]

    assert [r.status_code for r in responses] == [400, 400]
    assert responses[0].json()["fields"] == {
        "components": "There is no component “nosuchthing1” on this page."
    }
    assert "“exploding” is not one of" in responses[1].json()["fields"]["incident.status"]
    assert not Incident.objects.exists()
    assert audited_writes() == audited


def test_patch_posts_an_update_and_resolving_restores_components(api, base, components):
    api_id = components["API"].public_id
    created = declare(api, base, components={api_id: "major_outage"})
    url = f"{base}/incidents/{created['id']}"

    monitoring = api.patch(
        url, {"incident": {"status": "monitoring", "body": "Fix deployed."}}, format="json"
    )
    resolved = api.patch(url, {"incident": {"status": "resolved"}}, format="json")

    assert monitoring.status_code == 200, monitoring.json()
    assert monitoring.json()["monitoring_at"] is not None
    assert resolved.status_code == 200, resolved.json()
    body = resolved.json()
    assert body["status"] == "resolved"
    assert body["resolved_at"] is not None
    assert body["incident_updates"][0]["body"] == "This incident has been resolved."
    assert [u["status"] for u in body["incident_updates"]] == [
        "resolved",
        "monitoring",
        "investigating",
    ]
    assert Component.objects.get(public_id=api_id).status == "operational"


def test_a_status_sent_alone_takes_the_team_s_template(api, base, components):
    UpdateTemplateFactory(name="Resolved", status="resolved", body="All good now.", body_ja="復旧")
    created = declare(api, base)

    resolved = api.patch(
        f"{base}/incidents/{created['id']}", {"incident": {"status": "resolved"}}, format="json"
    )

    update = IncidentUpdate.objects.get(public_id=resolved.json()["incident_updates"][0]["id"])
    assert (update.body, update.body_ja) == ("All good now.", "復旧")


def test_patch_renames_without_posting_an_update(api, base, components):
    created = declare(api, base)

    response = api.patch(
        f"{base}/incidents/{created['id']}", {"incident": {"name": "Checkout down"}}, format="json"
    )

    assert response.json()["name"] == "Checkout down"
    assert len(response.json()["incident_updates"]) == 1


def test_a_resolved_incident_is_reopened_by_an_open_status(api, base, components):
    created = declare(api, base, status="resolved")

    response = api.patch(
        f"{base}/incidents/{created['id']}",
        {"incident": {"status": "investigating", "body": "It is back."}},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "investigating"
    assert response.json()["resolved_at"] is None


def test_a_backfilled_incident_records_the_past_quietly(api, base, components):
    response = api.post(
        f"{base}/incidents",
        {
            "incident": {
                "name": "Last week's outage",
                "body": "Database failover.",
                "backfilled": True,
                "backfill_date": "2026-11-20",
            }
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    incident = Incident.objects.get(public_id=response.json()["id"])
    assert incident.backfilled and incident.status == "resolved"
    assert incident.started_at.date().isoformat() == "2026-11-20"
    assert incident.updates.get().deliver_notifications is False


def test_schedule_a_maintenance_with_its_flags(api, base, components):
    start = timezone.now() + timedelta(days=1)
    response = api.post(
        f"{base}/incidents",
        {
            "incident": {
                "name": "Database upgrade",
                "status": "scheduled",
                "body": "PostgreSQL 17.",
                "scheduled_for": start.isoformat(),
                "scheduled_until": (start + timedelta(hours=2)).isoformat(),
                "scheduled_remind_prior": True,
                "scheduled_auto_in_progress": True,
                "scheduled_auto_completed": False,
                "component_ids": [components["Database"].public_id],
            }
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["impact"] == "maintenance"
    assert body["scheduled_remind_prior"] is True
    assert (body["scheduled_auto_in_progress"], body["scheduled_auto_completed"]) == (True, False)
    maintenance = Incident.objects.get(public_id=body["id"])
    assert maintenance.remind_minutes_before == 60
    assert [c["id"] for c in api.get(f"{base}/incidents/upcoming").json()] == [body["id"]]
    assert [c["id"] for c in api.get(f"{base}/incidents/scheduled").json()] == [body["id"]]
    assert api.get(f"{base}/incidents/active_maintenance").json() == []


def test_a_maintenance_without_its_window_is_refused(api, base):
    response = api.post(
        f"{base}/incidents", {"incident": {"name": "Upgrade", "status": "scheduled"}}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"scheduled_for", "scheduled_until"}
    assert not Incident.objects.exists()


def test_lists_search_and_page_with_link_headers(api, base, components):
    for n in range(3):
        declare(api, base, name=f"Incident {n}", body=f"Text {n}")

    everything = api.get(f"{base}/incidents")
    found = api.get(f"{base}/incidents?q=incident 1")
    first = api.get(f"{base}/incidents?limit=2")
    second = api.get(f"{base}/incidents?limit=2&page=2")

    assert [i["name"] for i in everything.json()] == ["Incident 2", "Incident 1", "Incident 0"]
    assert [i["name"] for i in found.json()] == ["Incident 1"]
    assert len(first.json()) == 2 and 'rel="next"' in first["Link"]
    assert [i["name"] for i in second.json()] == ["Incident 0"]
    assert 'rel="next"' not in second["Link"] and 'rel="prev"' in second["Link"]
    assert [i["name"] for i in api.get(f"{base}/incidents/unresolved").json()] == [
        "Incident 2",
        "Incident 1",
        "Incident 0",
    ]


def test_a_bad_page_number_is_a_clear_400(api, base):
    response = api.get(f"{base}/incidents?page=0")

    assert response.status_code == 400
    assert response.json()["fields"] == {"page": "Give a whole number from 1 to 1000000, not “0”."}


def test_delete_is_refused_and_the_incident_stays(api, base, components):
    created = declare(api, base)

    response = api.delete(f"{base}/incidents/{created['id']}")

    assert response.status_code == 409
    assert "never deleted" in response.json()["error"]
    assert Incident.objects.filter(public_id=created["id"]).exists()


def test_a_viewer_reads_incidents_but_cannot_write(viewer_api, api, base, components):
    created = declare(api, base)

    assert viewer_api.get(f"{base}/incidents/{created['id']}").status_code == 200
    refused = [
        viewer_api.post(f"{base}/incidents", {"incident": {"name": "X"}}, format="json"),
        viewer_api.patch(
            f"{base}/incidents/{created['id']}", {"incident": {"status": "resolved"}}, format="json"
        ),
    ]

    assert [r.status_code for r in refused] == [403, 403]
    assert Incident.objects.get().status == "investigating"


def test_an_unknown_incident_is_404(api, base):
    response = api.get(f"{base}/incidents/nosuchthing1")

    assert response.status_code == 404
    assert response.json() == {"error": "There is no incident “nosuchthing1” on this page."}


def test_a_page_number_past_any_list_is_a_clear_400_not_a_database_error(api, base):
    response = api.get(f"{base}/incidents?page=8982232519596922818606712114642944")

    assert response.status_code == 400
    assert "from 1 to 1000000" in response.json()["fields"]["page"]
