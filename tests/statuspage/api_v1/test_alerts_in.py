"""Alerts in: Prometheus Alertmanager (webhook version 4) and generic (Grafana-shaped) bodies
posted to an integration's address open one draft per group, note what follows on it, move
the mapped components, and change nothing when a body comes again; unknown tokens are 404 and
bad bodies 400, in the API's error shape, writing nothing."""

import logging

import pytest

from incidents import services
from incidents.models import (
    AlertGroup,
    AuditEntry,
    ComponentStatusChange,
    Incident,
    IncidentUpdate,
    ReceivedAlert,
)
from notify.models import Notification
from tests.alert_data import (
    GROUP,
    LATER,
    STARTS,
    alertmanager_body,
    am_alert,
    bodies,
    make_integration,
    post_alerts,
    status_of,
    written,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def prometheus(components):
    """An Alertmanager integration: service=api → API, service=web → Web, major outage."""
    return make_integration(
        rules={("service", "api"): components["API"], ("service", "web"): components["Web"]}
    )


def test_a_firing_group_opens_one_draft_not_announced(client, prometheus, components):
    _, token = prometheus

    response = post_alerts(client, token, alertmanager_body(am_alert(service="api")))

    incident = Incident.objects.get()
    assert response.status_code == 200
    assert response.json() == {
        "alerts": 1,
        "new": 1,
        "incident_id": incident.public_id,
        "opened": True,
    }
    assert (incident.name, incident.status, incident.draft_state) == (
        "HighLatency on api",
        "investigating",
        "draft",
    )
    assert incident.impact == "major"
    assert bodies(incident) == ["1 alert is firing:\n\n- **HighLatency**: HighLatency on api"]
    assert incident.updates.get().deliver_notifications is True  # announced when published
    assert list(incident.components.all()) == [components["API"]]
    assert status_of("API") == "major_outage"
    change = ComponentStatusChange.objects.filter(component=components["API"]).last()
    assert (change.old_status, change.new_status, change.source) == (
        "operational",
        "major_outage",
        "alert",
    )
    assert Notification.objects.filter(incident=incident).count() == 0
    audit = AuditEntry.objects.get(action="receive_alerts")
    assert audit.summary == "Prometheus: 1 firing, 0 resolved"


def test_the_same_body_twice_changes_nothing(client, prometheus):
    _, token = prometheus
    body = alertmanager_body(am_alert(service="api"))
    first = post_alerts(client, token, body).json()
    before = written()

    again = post_alerts(client, token, body)

    assert again.status_code == 200
    assert again.json() == {
        "alerts": 1,
        "new": 0,
        "incident_id": first["incident_id"],
        "opened": False,
    }
    assert written() == before
    assert Incident.objects.count() == 1
    assert IncidentUpdate.objects.count() == 1


def test_grouped_alerts_in_one_body_open_one_draft_listing_each(client, prometheus):
    _, token = prometheus

    post_alerts(client, token, alertmanager_body(am_alert(service="api"), am_alert(service="web")))

    incident = Incident.objects.get()
    assert incident.name == "HighLatency"  # summaries differ: the common alertname
    assert bodies(incident) == [
        "2 alerts are firing:\n\n"
        "- **HighLatency**: HighLatency on api\n"
        "- **HighLatency**: HighLatency on web"
    ]
    assert (status_of("API"), status_of("Web"), status_of("Database")) == (
        "major_outage",
        "major_outage",
        "operational",
    )
    assert ReceivedAlert.objects.count() == 2


def test_a_second_alert_of_the_group_is_noted_on_the_draft(client, prometheus):
    _, token = prometheus
    api, web = am_alert(service="api"), am_alert(service="web", starts_at=LATER)
    post_alerts(client, token, alertmanager_body(api))

    response = post_alerts(client, token, alertmanager_body(api, web))

    incident = Incident.objects.get()
    assert response.json()["new"] == 1
    assert bodies(incident)[1] == "Firing:\n\n- **HighLatency**: HighLatency on web"
    note = incident.updates.order_by("id").last()
    assert note.deliver_notifications is False
    changes = [
        (c.component.name, c.old_status, c.new_status) for c in note.affected_components.all()
    ]
    assert changes == [("Web", "operational", "major_outage")]
    assert status_of("Web") == "major_outage"
    assert Notification.objects.filter(incident=incident).count() == 0


def test_resolved_alerts_return_components_unless_another_firing_group_holds_them(
    client, prometheus
):
    _, token = prometheus
    latency = am_alert("HighLatency", service="api")
    errors = am_alert("ErrorRate", service="api")
    post_alerts(client, token, alertmanager_body(latency))
    post_alerts(client, token, alertmanager_body(errors, group_key='{}:{alertname="ErrorRate"}'))
    first, second = Incident.objects.order_by("id")

    post_alerts(client, token, alertmanager_body(latency | {"status": "resolved"}))

    assert status_of("API") == "major_outage"  # ErrorRate still fires
    assert bodies(first)[-1] == "Resolved:\n\n- **HighLatency**: HighLatency on api"

    post_alerts(
        client,
        token,
        alertmanager_body(errors | {"status": "resolved"}, group_key='{}:{alertname="ErrorRate"}'),
    )

    assert status_of("API") == "operational"
    assert bodies(second)[-1] == (
        "Resolved:\n\n- **ErrorRate**: ErrorRate on api\n\nBack to operational: API."
    )
    assert Incident.objects.count() == 2


def test_a_resolved_alert_leaves_a_component_an_incident_people_declared_holds(
    client, prometheus, components
):
    _, token = prometheus
    services.declare_incident(
        name="API errors",
        body="Investigating.",
        component_statuses={components["API"]: "partial_outage"},
        deliver_notifications=False,
    )
    alert = am_alert(service="api")
    post_alerts(client, token, alertmanager_body(alert))
    assert status_of("API") == "major_outage"  # worse than what people set

    post_alerts(client, token, alertmanager_body(alert | {"status": "resolved"}))

    assert status_of("API") == "major_outage"  # people's incident is open: theirs to change


def test_a_firing_alert_never_betters_a_status_nor_touches_maintenance(client, components):
    _, token = make_integration(
        component_status="degraded_performance",
        rules={("service", "api"): components["API"], ("service", "web"): components["Web"]},
    )
    services.edit_component(component=components["API"], status="major_outage")
    services.edit_component(component=components["Web"], status="under_maintenance")

    post_alerts(client, token, alertmanager_body(am_alert(service="api"), am_alert(service="web")))

    assert (status_of("API"), status_of("Web")) == ("major_outage", "under_maintenance")


def test_flapping_continues_the_same_draft_until_it_is_discarded(client, prometheus):
    _, token = prometheus
    first = am_alert(service="api")
    post_alerts(client, token, alertmanager_body(first))
    post_alerts(client, token, alertmanager_body(first | {"status": "resolved"}))
    assert status_of("API") == "operational"
    assert AlertGroup.objects.get().firing_since is None

    post_alerts(client, token, alertmanager_body(am_alert(service="api", starts_at=LATER)))

    incident = Incident.objects.get()
    assert status_of("API") == "major_outage"
    assert bodies(incident)[1:] == [
        "Resolved:\n\n- **HighLatency**: HighLatency on api\n\nBack to operational: API.",
        "Firing:\n\n- **HighLatency**: HighLatency on api",
    ]
    assert AlertGroup.objects.get().firing_since is not None

    services.discard_draft(incident=incident)
    post_alerts(client, token, alertmanager_body(am_alert(service="api", starts_at=LATER)))
    assert Incident.objects.count() == 1  # the same alert again: old news

    post_alerts(
        client, token, alertmanager_body(am_alert(service="api", starts_at="2026-12-05T11:00:00Z"))
    )
    assert Incident.objects.count() == 2  # it fired anew: a new draft
    assert Incident.objects.order_by("id").last().draft_state == "draft"
    assert AlertGroup.objects.count() == 1


def test_alerts_of_a_published_incident_move_its_components_without_writing_to_it(
    client, prometheus
):
    _, token = prometheus
    api = am_alert(service="api")
    post_alerts(client, token, alertmanager_body(api))
    incident = Incident.objects.get()
    services.publish_draft(incident=incident)

    post_alerts(client, token, alertmanager_body(api, am_alert(service="web")))
    post_alerts(client, token, alertmanager_body(api | {"status": "resolved"}))

    assert IncidentUpdate.objects.filter(incident=incident).count() == 1
    assert (status_of("API"), status_of("Web")) == ("operational", "major_outage")
    assert {c.name for c in incident.components.all()} == {"API", "Web"}


def test_an_integration_that_changes_no_component_names_them(client, components):
    _, token = make_integration(component_status="", rules={("service", "api"): components["API"]})

    post_alerts(client, token, alertmanager_body(am_alert(service="api")))

    incident = Incident.objects.get()
    assert list(incident.components.all()) == [components["API"]]
    assert status_of("API") == "operational"
    assert incident.impact == "none"


def test_resolved_alerts_of_a_group_never_seen_write_nothing(client, prometheus):
    _, token = prometheus
    before = written()

    response = post_alerts(
        client, token, alertmanager_body(am_alert(service="api", status="resolved"))
    )

    assert response.json() == {"alerts": 1, "new": 0, "incident_id": None, "opened": False}
    assert written() == before


def test_an_unknown_wrong_or_disabled_token_is_404_writing_nothing(client, prometheus, caplog):
    _, token = prometheus
    _, generic = make_integration(name="Grafana", kind="generic")
    disabled, off = make_integration(name="Old Prometheus")
    services.edit_alert_integration(integration=disabled, enabled=False)
    body = alertmanager_body(am_alert(service="api"))
    before = written()
    wrong_secret = token[:12] + "x" * (len(token) - 12)

    with caplog.at_level(logging.WARNING):
        answers = [
            post_alerts(client, "nosuchtoken" + "a" * 40, body),
            post_alerts(client, wrong_secret, body),
            post_alerts(client, generic, body),  # a generic integration's token
            post_alerts(client, "bad.token", body),
            post_alerts(client, off, body),
        ]

    assert [a.status_code for a in answers] == [404] * 5
    assert {a.json()["error"] for a in answers[:3] + answers[4:]} == {
        "There is no alert integration at this address."
    }
    assert written() == before
    assert wrong_secret not in caplog.text and off not in caplog.text
    assert f"Not Found: /api/v1/integrations/alertmanager/{off[:12]}…" in caplog.text


@pytest.mark.parametrize(
    ("body", "error", "fields"),
    [
        (
            "{not json",
            "JSON parse error - Expecting property name enclosed in double quotes: line 1 "
            "column 2 (char 1)",
            None,
        ),
        (
            {"version": "4"},
            "groupKey: This field is required.; status: This field is required.; "
            "alerts: This field is required.",
            {
                "groupKey": "This field is required.",
                "status": "This field is required.",
                "alerts": "This field is required.",
            },
        ),
        (
            alertmanager_body(am_alert(service="api"), version="3"),
            "version: “3” is not one of 4.",
            {"version": "“3” is not one of 4."},
        ),
        (
            alertmanager_body(am_alert(service="api", starts_at="yesterday")),
            "alerts.0.startsAt: Give an RFC 3339 time with its offset, e.g. 2026-12-05T09:30:00Z.",
            {
                "alerts.0.startsAt": "Give an RFC 3339 time with its offset, e.g. "
                "2026-12-05T09:30:00Z."
            },
        ),
        (
            alertmanager_body(am_alert(service="api", status="exploding")),
            "alerts.0.status: “exploding” is not one of firing, resolved.",
            {"alerts.0.status": "“exploding” is not one of firing, resolved."},
        ),
        (
            alertmanager_body(am_alert(service="api")) | {"alerts": []},
            "alerts: This list may not be empty.",
            {"alerts": "This list may not be empty."},
        ),
    ],
)
def test_a_malformed_body_is_400_in_the_api_shape_writing_nothing(
    client, prometheus, body, error, fields
):
    _, token = prometheus
    before = written()

    response = post_alerts(client, token, body)

    assert response.status_code == 400
    expected = {"error": error} | ({"fields": fields} if fields else {})
    assert response.json() == expected
    assert written() == before


def test_an_alert_without_fingerprint_is_fingerprinted_by_its_labels(client, prometheus):
    _, token = prometheus
    alert = am_alert(service="api") | {"fingerprint": ""}
    post_alerts(client, token, alertmanager_body(alert))
    post_alerts(client, token, alertmanager_body(alert))

    assert ReceivedAlert.objects.count() == 1
    assert len(ReceivedAlert.objects.get().fingerprint) == 16


def test_nanosecond_times_as_go_writes_them_are_read(client, prometheus):
    _, token = prometheus
    alert = am_alert(service="api", starts_at="2026-12-05T09:30:00.123456789+09:00")

    post_alerts(client, token, alertmanager_body(alert))
    post_alerts(client, token, alertmanager_body(alert))

    received = ReceivedAlert.objects.get()
    assert received.starts_at.isoformat() == "2026-12-05T00:30:00.123456+00:00"
    assert received.ends_at is None  # Go's zero time


def test_the_group_key_is_kept_whole_and_found_by_its_digest(client, prometheus):
    _, token = prometheus
    long_key = GROUP + "x" * 5000
    body = alertmanager_body(am_alert(service="api"), group_key=long_key)
    post_alerts(client, token, body)
    post_alerts(client, token, body)

    group = AlertGroup.objects.get()
    assert group.group_key == long_key
    assert len(group.key_digest) == 64
    assert ReceivedAlert.objects.get().starts_at.isoformat() == STARTS.replace("Z", "+00:00")
