"""Recovery actions through the management API: recorded on an incident, listed across
incidents (open, overdue), changed and moved through their states; bad input writes nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.models import RecoveryAction

pytestmark = pytest.mark.django_db


@pytest.fixture
def actions_url(base, outage):
    return f"{base}/incidents/{outage.public_id}/recovery_actions"


def record(api, url, **fields):
    body = {"recovery_action": {"title": "Alert on disk space", "kind": "prevent", **fields}}
    response = api.post(url, body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_record_an_action_with_owner_due_date_and_components(api, actions_url, oncall, outage):
    api_component = outage.components.get()

    created = record(
        api,
        actions_url,
        owner="oncall",
        due_on="2026-12-18",
        priority="high",
        component_ids=[api_component.public_id],
        tracker_url="https://tracker.example.com/OPS-1",
    )

    assert created["owner"] == "oncall"
    assert created["components"] == [api_component.public_id]
    assert created["state"] == "open"
    action = RecoveryAction.objects.get(public_id=created["id"])
    assert (action.owner, action.priority, action.incident) == (oncall, "high", outage)


def test_an_unknown_owner_or_kind_writes_nothing(api, actions_url):
    responses = [
        api.post(
            actions_url,
            {"recovery_action": {"title": "X", "kind": "prevent", "owner": "nobody"}},
            format="json",
        ),
        api.post(actions_url, {"recovery_action": {"title": "X", "kind": "pray"}}, format="json"),
    ]

    assert [r.status_code for r in responses] == [400, 400]
    assert responses[0].json()["fields"] == {"owner": "There is no console member “nobody”."}
    assert "recovery_action.kind" in responses[1].json()["fields"]
    assert not RecoveryAction.objects.exists()


def test_states_start_complete_reopen_and_decline_with_a_reason(api, actions_url):
    action = record(api, actions_url)
    url = f"{actions_url}/{action['id']}"

    started = api.put(f"{url}/start", {}, format="json")
    done = api.put(f"{url}/complete", {}, format="json")
    reopened = api.put(f"{url}/reopen", {}, format="json")
    no_reason = api.put(f"{url}/decline", {}, format="json")
    declined = api.put(
        f"{url}/decline", {"recovery_action": {"reason": "Superseded."}}, format="json"
    )

    assert started.json()["state"] == "in_progress"
    assert done.json()["state"] == "done" and done.json()["completed_at"]
    assert reopened.json()["state"] == "open"
    assert no_reason.status_code == 400
    assert no_reason.json()["fields"] == {"wont_do_reason": "Say why this action won't be done."}
    assert declined.json()["state"] == "wont_do"
    assert declined.json()["wont_do_reason"] == "Superseded."


def test_the_page_wide_list_shows_open_and_overdue_actions(api, base, actions_url):
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    late = record(api, actions_url, title="Late", due_on=yesterday)
    record(api, actions_url, title="Later", due_on="2099-01-01")

    open_list = api.get(f"{base}/recovery_actions").json()
    overdue = api.get(f"{base}/recovery_actions?state=overdue").json()

    assert [a["title"] for a in open_list] == ["Late", "Later"]
    assert [a["id"] for a in overdue] == [late["id"]]
    assert overdue[0]["overdue"] is True
    assert api.get(f"{base}/recovery_actions?state=lost").status_code == 400


def test_patch_moves_the_due_date(api, actions_url):
    action = record(api, actions_url)

    response = api.patch(
        f"{actions_url}/{action['id']}",
        {"recovery_action": {"due_on": "2027-01-10"}},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["due_on"] == "2027-01-10"


def test_a_viewer_reads_but_cannot_write(api, viewer_api, actions_url):
    action = record(api, actions_url)

    assert viewer_api.get(actions_url).status_code == 200
    refused = viewer_api.put(f"{actions_url}/{action['id']}/start", {}, format="json")
    assert refused.status_code == 403
    assert RecoveryAction.objects.get().state == "open"
