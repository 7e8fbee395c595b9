"""PATCH and PUT /api/v1/pages/{page_id}/incidents/{incident_id}/incident_updates/{id}: an
update's text corrected (audited, notifying nobody), answered with the update object; a Viewer
is refused; a retry with the same Idempotency-Key writes once; unknown or foreign updates are
404; bad input writes nothing."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from incidents import services
from incidents.models import AuditEntry, IncidentUpdate
from notify.models import Notification
from tests.incidents.test_update_edits import scheduled_upgrade
from tests.statuspage.api_v1.conftest import audited_writes
from tests.statuspage.test_api_v2_client import UPDATE_KEYS

pytestmark = pytest.mark.django_db

POSTED = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)
EDITED = POSTED + timedelta(minutes=6, seconds=3, microseconds=210000)
# The v2 update object's keys, and the two the management API adds (objects.py).
MANAGEMENT_UPDATE_KEYS = UPDATE_KEYS | {"twitter_updated_at", "wants_twitter_update"}


@pytest.fixture
def incident(components):
    with time_machine.travel(POSTED, tick=False):
        return services.declare_incident(
            name="API errors",
            body="A bad deploy; we are roling it back.",
            component_statuses={components["API"]: "partial_outage"},
        )


@pytest.fixture
def update(incident) -> IncidentUpdate:
    return incident.updates.get()


def url(base: str, incident, update) -> str:
    return f"{base}/incidents/{incident.public_id}/incident_updates/{update.public_id}"


def edits() -> int:
    return AuditEntry.objects.filter(action="edit_update_text").count()


def test_on_call_corrects_the_text_and_gets_the_update_object(api, base, incident, update):
    notifications = Notification.objects.count()

    with time_machine.travel(EDITED, tick=False):
        response = api.patch(
            url(base, incident, update),
            {"incident_update": {"body": "A bad deploy; we are rolling it back."}},
            format="json",
        )

    assert response.status_code == 200, response.json()
    assert response.json() == {
        "id": update.public_id,
        "status": "investigating",
        "body": "A bad deploy; we are rolling it back.",
        "incident_id": incident.public_id,
        "created_at": "2026-12-04T08:00:00.000Z",
        "updated_at": "2026-12-04T08:06:03.210Z",
        "display_at": "2026-12-04T08:00:00.000Z",
        "affected_components": [
            {
                "code": update.affected_components.get().component.public_id,
                "name": "API",
                "old_status": "operational",
                "new_status": "partial_outage",
            }
        ],
        "deliver_notifications": True,
        "custom_tweet": None,
        "tweet_id": None,
        "twitter_updated_at": None,
        "wants_twitter_update": False,
    }
    assert set(response.json()) == MANAGEMENT_UPDATE_KEYS
    assert Notification.objects.count() == notifications
    entry = AuditEntry.objects.get(action="edit_update_text")
    assert "“A bad deploy; we are roling it back.”" in entry.summary
    assert entry.actor.username == "oncall"


def test_put_form_encoded_with_statuspage_s_other_fields_accepted_and_ignored(
    api, base, incident, update
):
    response = api.put(
        url(base, incident, update),
        "incident_update[body]=Rolled back.&incident_update[body_ja]=切り戻しました。"
        "&incident_update[deliver_notifications]=true&incident_update[wants_twitter_update]=false"
        "&incident_update[display_at]=2026-12-04T09:00:00Z&incident_update[tweet_id]="
        "&incident_update[custom_tweet]=",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200, response.json()
    update.refresh_from_db()
    assert (update.body, update.body_ja, update.display_at) == (
        "Rolled back.",
        "切り戻しました。",
        POSTED,
    )
    assert Notification.objects.count() == 1


def test_a_viewer_is_refused_and_nothing_is_written(viewer_api, base, incident, update):
    for method in ("patch", "put"):
        response = getattr(viewer_api, method)(
            url(base, incident, update), {"incident_update": {"body": "Changed."}}, format="json"
        )
        assert response.status_code == 403
        assert response.json() == {
            "error": "Your role may not do this (it needs the "
            "incidents.change_incidentupdate permission)."
        }
    update.refresh_from_db()
    assert update.body == "A bad deploy; we are roling it back."
    assert edits() == 0


def test_a_retry_with_the_same_key_is_answered_and_edits_once(api, base, incident, update):
    body = {"incident_update": {"body": "A bad deploy; we are rolling it back."}}

    first = api.patch(url(base, incident, update), body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    again = api.patch(url(base, incident, update), body, format="json", HTTP_IDEMPOTENCY_KEY="k1")

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert edits() == 1


def test_an_unknown_update_or_one_of_another_incident_is_not_found(api, base, incident, update):
    other = services.declare_incident(name="Web errors", body="Looking.")
    body = {"incident_update": {"body": "Changed."}}
    writes = audited_writes()

    unknown = api.patch(
        f"{base}/incidents/{incident.public_id}/incident_updates/nope1234", body, format="json"
    )
    foreign = api.patch(url(base, other, update), body, format="json")
    no_incident = api.patch(
        f"{base}/incidents/nope1234/incident_updates/{update.public_id}", body, format="json"
    )

    assert (unknown.status_code, foreign.status_code, no_incident.status_code) == (404, 404, 404)
    assert unknown.json() == {"error": "This incident has no update “nope1234”."}
    assert foreign.json() == {"error": f"This incident has no update “{update.public_id}”."}
    assert no_incident.json() == {"error": "There is no incident “nope1234” on this page."}
    assert audited_writes() == writes


@pytest.mark.parametrize(
    ("body", "error", "fields"),
    [
        (
            {"incident_update": {"body": "  "}},
            "body: This field is required.",
            {"body": "This field is required."},
        ),
        (
            {"incident_update": {"body": 42}},
            "incident_update.body: Send text (a string), not int.",
            {"incident_update.body": "Send text (a string), not int."},
        ),
        (
            {"body": "Changed."},
            'incident_update: Send the fields inside “incident_update”: {"incident_update": {…}}.',
            {
                "incident_update": (
                    'Send the fields inside “incident_update”: {"incident_update": {…}}.'
                )
            },
        ),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(api, base, incident, update, body, error, fields):
    writes = audited_writes()

    response = api.patch(
        url(base, incident, update), body, format="json", HTTP_IDEMPOTENCY_KEY="bad"
    )

    assert response.status_code == 400
    assert response.json() == {"error": error, "fields": fields}
    update.refresh_from_db()
    assert (update.body, update.edited_at) == ("A bad deploy; we are roling it back.", None)
    assert audited_writes() == writes


def test_an_unchanged_text_writes_nothing(api, base, incident, update):
    response = api.patch(
        url(base, incident, update),
        {"incident_update": {"body": "A bad deploy; we are roling it back."}},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["updated_at"] == response.json()["created_at"]
    assert edits() == 0


def test_a_maintenance_update_is_corrected_the_same_way(api, base, components):
    maintenance = scheduled_upgrade(components["Database"])
    update = maintenance.updates.get()

    response = api.patch(
        url(base, maintenance, update),
        {"incident_update": {"body": "We will upgrade the database."}},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["body"] == "We will upgrade the database."
    assert response.json()["status"] == "scheduled"


def test_the_incident_shows_the_corrected_text(api, base, incident, update):
    api.patch(
        url(base, incident, update), {"incident_update": {"body": "Rolled back."}}, format="json"
    )

    shown = api.get(f"{base}/incidents/{incident.public_id}").json()

    assert shown["incident_updates"][0]["body"] == "Rolled back."
