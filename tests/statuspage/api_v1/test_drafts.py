"""An alert's draft in the management API: listed (with "draft": true) to a role that may
change incidents and to no other; published or discarded with Noroshi's own steps, On-call's
permission, once however often they are asked."""

import pytest

from incidents.models import AuditEntry, Component, Incident
from notify.models import Notification
from tests.alert_data import alertmanager_body, am_alert, make_integration, post_alerts
from tests.statuspage.api_v1.conftest import audited_writes

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(client, components) -> Incident:
    _, token = make_integration(rules={("service", "api"): components["API"]})
    post_alerts(client, token, alertmanager_body(am_alert(service="api")))
    return Incident.objects.get()


@pytest.fixture
def subscribed(db):
    from django.utils import timezone

    from notify.models import Subscriber

    return Subscriber.objects.create(
        channel="email", address="reader@example.com", confirmed_at=timezone.now()
    )


def listed(client, base, **params) -> list[dict]:
    response = client.get(f"{base}/incidents", params)
    assert response.status_code == 200
    return response.json()


def test_the_incident_list_shows_drafts_to_on_call_only(api, viewer_api, base, draft):
    on_call_sees = listed(api, base)
    viewer_sees = listed(viewer_api, base)

    assert [(i["id"], i["draft"], i["draft_state"]) for i in on_call_sees] == [
        (draft.public_id, True, "draft")
    ]
    assert viewer_sees == []
    assert listed(viewer_api, base, q="HighLatency") == []
    assert [i["id"] for i in listed(api, base, q="HighLatency")] == [draft.public_id]
    assert api.get(f"{base}/incidents/{draft.public_id}").status_code == 200
    hidden = viewer_api.get(f"{base}/incidents/{draft.public_id}")
    assert hidden.status_code == 404
    assert hidden.json() == {"error": f"There is no incident “{draft.public_id}” on this page."}
    assert api.get(f"{base}/incidents/unresolved").json() == []  # not open to the public


def test_publishing_announces_the_first_update_once(api, base, draft, subscribed):
    url = f"{base}/incidents/{draft.public_id}/publish"

    first = api.post(url, {}, format="json")
    second = api.post(url, {}, format="json")

    assert (first.status_code, second.status_code) == (200, 200)
    assert (first.json()["draft"], first.json()["draft_state"]) == (False, "published")
    assert second.json() == first.json()
    notification = Notification.objects.get()
    assert (notification.kind, notification.update) == (
        "incident_update",
        draft.updates.get(),
    )
    assert AuditEntry.objects.filter(action="publish").count() == 1
    draft.refresh_from_db()
    assert draft.published_at is not None


def test_an_idempotency_key_replays_the_publication(api, base, draft):
    url = f"{base}/incidents/{draft.public_id}/publish"

    first = api.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="publish-1")
    replay = api.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="publish-1")

    assert replay.json() == first.json()
    assert replay["Idempotent-Replayed"] == "true"
    assert Notification.objects.count() == 1


def test_discarding_keeps_it_hidden_and_releases_its_components(api, viewer_api, base, draft):
    url = f"{base}/incidents/{draft.public_id}/discard"

    first = api.post(url, {}, format="json")
    second = api.post(url, {}, format="json")

    assert (first.status_code, second.status_code) == (200, 200)
    assert (first.json()["draft"], first.json()["draft_state"]) == (True, "discarded")
    assert Component.objects.get(name="API").status == "operational"
    assert first.json()["incident_updates"][0]["body"] == "Discarded. Back to operational: API."
    assert Notification.objects.filter(incident=draft).count() == 0
    assert listed(viewer_api, base) == []
    refused = api.post(f"{base}/incidents/{draft.public_id}/publish", {}, format="json")
    assert refused.status_code == 400
    assert refused.json() == {"error": "This draft was discarded; it cannot be published."}


def test_a_public_incident_cannot_be_discarded(api, base, draft):
    api.post(f"{base}/incidents/{draft.public_id}/publish", {}, format="json")
    audited = audited_writes()

    refused = api.post(f"{base}/incidents/{draft.public_id}/discard", {}, format="json")

    assert refused.status_code == 400
    assert refused.json() == {
        "error": "This incident is public; resolve it instead of discarding it."
    }
    assert audited_writes() == audited


def test_a_viewer_may_neither_publish_nor_discard(viewer_api, base, draft):
    audited = audited_writes()
    for step in ("publish", "discard"):
        response = viewer_api.post(f"{base}/incidents/{draft.public_id}/{step}", {}, format="json")
        assert response.status_code == 403, step
        assert response.json() == {
            "error": "Your role may not do this (it needs the incidents.change_incident "
            "permission)."
        }
    draft.refresh_from_db()
    assert draft.draft_state == "draft"
    assert audited_writes() == audited
    assert Notification.objects.count() == 0


def test_a_body_is_not_needed_but_a_wrong_one_is_refused(api, base, draft):
    url = f"{base}/incidents/{draft.public_id}/publish"

    refused = api.post(url, {"incident": "now"}, format="json")

    assert refused.status_code == 400
    assert refused.json()["fields"] == {
        "incident": 'Expected a dictionary of items but got type "str".'
    }
    draft.refresh_from_db()
    assert draft.draft_state == "draft"
    assert api.post(url, {"incident": {}}, format="json").status_code == 200


def test_an_unknown_incident_is_404(api, base):
    response = api.post(f"{base}/incidents/nosuchthing1/publish", {}, format="json")
    assert response.status_code == 404
    assert response.json() == {"error": "There is no incident “nosuchthing1” on this page."}
