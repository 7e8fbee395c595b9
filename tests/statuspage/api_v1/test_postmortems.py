"""An incident's post-mortem through the management API: Statuspage's single Markdown body
mapped onto Noroshi's sections, a review by a second person before publishing, revert."""

import pytest

from incidents import services
from incidents.models import Incident, PostMortem
from tests.statuspage.api_v1.conftest import signed_in

pytestmark = pytest.mark.django_db

DRAFT = """We lost the primary database for 12 minutes.

## Customer impact

Checkout failed for every customer.

## Root cause

A full disk on the primary.
"""


@pytest.fixture
def resolved(components):
    incident = services.declare_incident(
        name="Database outage", body="Down.", status="resolved", deliver_notifications=False
    )
    return incident


def url(base, incident, step=""):
    return f"{base}/incidents/{incident.public_id}/postmortem" + (f"/{step}" if step else "")


def test_a_body_draft_fills_the_sections_by_their_headings(api, base, resolved):
    response = api.put(url(base, resolved), {"postmortem": {"body_draft": DRAFT}}, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["sections"]["summary"] == "We lost the primary database for 12 minutes."
    assert body["sections"]["customer_impact"] == "Checkout failed for every customer."
    assert body["sections"]["root_cause"] == "A full disk on the primary."
    assert body["body"] is None  # not published
    assert body["body_draft"].startswith("## Summary\n\nWe lost the primary database")
    assert body["status"] == "draft"
    assert body["timeline"]  # prefilled from the incident's updates


def test_a_second_put_edits_the_same_draft(api, base, resolved):
    api.put(url(base, resolved), {"postmortem": {"body_draft": DRAFT}}, format="json")

    again = api.put(
        url(base, resolved),
        {"postmortem": {"sections": {"lessons": "Alert on disk space."}}},
        format="json",
    )

    assert again.status_code == 200
    assert again.json()["sections"]["lessons"] == "Alert on disk space."
    assert PostMortem.objects.count() == 1


def test_an_open_incident_has_no_post_mortem_yet(api, base, outage):
    response = api.put(url(base, outage), {"postmortem": {"body_draft": DRAFT}}, format="json")

    assert response.status_code == 400
    assert response.json()["error"] == "Resolve the incident before starting its post-mortem."
    assert not PostMortem.objects.exists()
    assert api.get(url(base, outage)).status_code == 404


def test_publishing_needs_a_review_by_someone_else(api, base, resolved, admin_user):
    fields = {"body_draft": DRAFT, "detection_method": "monitoring"}
    api.put(url(base, resolved), {"postmortem": fields}, format="json")

    too_early = api.put(url(base, resolved, "publish"), {}, format="json")
    submitted = api.put(url(base, resolved, "submit"), {}, format="json")
    own = api.put(url(base, resolved, "sign_off"), {}, format="json")
    reviewer = signed_in(admin_user)
    signed = reviewer.put(url(base, resolved, "sign_off"), {}, format="json")
    published = api.put(
        url(base, resolved, "publish"), {"postmortem": {"notify_subscribers": False}}, format="json"
    )

    assert too_early.status_code == 400
    assert "submit it for review first" in too_early.json()["error"]
    assert submitted.json()["status"] == "in_review"
    assert own.status_code == 400 and "someone else" in own.json()["error"]
    assert signed.status_code == 200
    assert published.status_code == 200, published.json()
    assert published.json()["body"].startswith("## Summary")
    incident = api.get(f"{base}/incidents/{resolved.public_id}").json()
    assert incident["status"] == "postmortem"
    assert incident["postmortem_published_at"] is not None
    assert incident["postmortem_body"].startswith("## Summary")

    reverted = api.put(url(base, resolved, "revert"), {}, format="json")
    assert reverted.json()["status"] == "draft"
    assert Incident.objects.get(pk=resolved.pk).status == "resolved"


def test_an_unknown_section_is_named_and_nothing_is_written(api, base, resolved):
    response = api.put(
        url(base, resolved), {"postmortem": {"sections": {"gossip": "x"}}}, format="json"
    )

    assert response.status_code == 400
    assert "“gossip” is not a section" in response.json()["fields"]["postmortem.sections"]
    assert not PostMortem.objects.exists()


def test_delete_is_refused(api, base, resolved):
    api.put(url(base, resolved), {"postmortem": {"body_draft": DRAFT}}, format="json")

    response = api.delete(url(base, resolved))

    assert response.status_code == 409
    assert PostMortem.objects.exists()


def test_a_viewer_reads_but_cannot_write(viewer_api, api, base, resolved):
    api.put(url(base, resolved), {"postmortem": {"body_draft": DRAFT}}, format="json")

    assert viewer_api.get(url(base, resolved)).status_code == 200
    refused = viewer_api.put(
        url(base, resolved), {"postmortem": {"body_draft": "x"}}, format="json"
    )
    assert refused.status_code == 403
