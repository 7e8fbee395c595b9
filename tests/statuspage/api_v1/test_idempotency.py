"""Idempotency-Key on the management API's writes: a retry is answered with the first response
and writes nothing; the same key with another body is a 422; an error leaves the key free."""

import pytest

from incidents.models import Incident, IncidentUpdate

pytestmark = pytest.mark.django_db

BODY = {"incident": {"name": "Checkout errors", "body": "Looking into it."}}


def post(api, base, body, key):
    return api.post(f"{base}/incidents", body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_a_retry_returns_the_first_response_and_declares_once(api, base, components):
    first = post(api, base, BODY, "deploy-42")
    again = post(api, base, BODY, "deploy-42")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Incident.objects.count() == 1


def test_the_same_key_with_another_body_is_refused(api, base, components):
    post(api, base, BODY, "deploy-42")

    other = post(api, base, {"incident": {"name": "Other", "body": "Text"}}, "deploy-42")

    assert other.status_code == 422
    assert "already used with a different request" in other.json()["error"]
    assert Incident.objects.count() == 1


def test_a_refused_write_leaves_its_key_free_for_the_corrected_request(api, base, components):
    bad = post(api, base, {"incident": {"name": "", "body": "x"}}, "deploy-43")
    good = post(api, base, BODY, "deploy-43")

    assert bad.status_code == 400
    assert good.status_code == 201
    assert Incident.objects.count() == 1


def test_keys_are_per_user(api, base, components, admin_user):
    from tests.statuspage.api_v1.conftest import signed_in

    post(api, base, BODY, "same-key")
    other_user = post(
        signed_in(admin_user), base, {"incident": {"name": "B", "body": "C"}}, "same-key"
    )

    assert other_user.status_code == 201
    assert Incident.objects.count() == 2


def test_a_retried_update_posts_once(api, base, components):
    incident = post(api, base, BODY, "open").json()
    url = f"{base}/incidents/{incident['id']}"
    change = {"incident": {"status": "identified", "body": "Found it."}}

    for _ in range(2):
        response = api.patch(url, change, format="json", HTTP_IDEMPOTENCY_KEY="update-1")
        assert response.status_code == 200

    assert IncidentUpdate.objects.filter(incident__public_id=incident["id"]).count() == 2
