"""The incident lifecycle: declare, post updates, resolve, reopen — and what each rejects."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from incidents import services
from incidents.models import (
    AuditEntry,
    Component,
    ComponentStatusChange,
    Incident,
    IncidentUpdate,
    IncidentUpdateComponent,
)

pytestmark = pytest.mark.django_db


def row_counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Incident,
            IncidentUpdate,
            IncidentUpdateComponent,
            ComponentStatusChange,
            AuditEntry,
        )
    }


def test_declaring_sets_component_statuses_and_writes_history(components, oncall):
    api, web = components["API"], components["Web"]

    incident = services.declare_incident(
        name="Elevated API errors",
        body="We are investigating elevated error rates.",
        component_statuses={api: "major_outage", web: "degraded_performance"},
        author=oncall,
    )

    api.refresh_from_db()
    web.refresh_from_db()
    assert (api.status, web.status) == ("major_outage", "degraded_performance")
    assert incident.status == "investigating"
    assert incident.impact == "major"
    assert set(incident.components.all()) == {api, web}
    update = incident.updates.get()
    assert update.author == oncall
    assert update.deliver_notifications is True
    pairs = set(
        update.affected_components.values_list("component__name", "old_status", "new_status")
    )
    assert pairs == {
        ("API", "operational", "major_outage"),
        ("Web", "operational", "degraded_performance"),
    }
    changes = ComponentStatusChange.objects.filter(source="incident_update")
    assert changes.count() == 2
    assert {c.incident_update_id for c in changes} == {update.pk}
    assert AuditEntry.objects.filter(action="declare", object_id=incident.public_id).count() == 1


def test_public_ids_are_twelve_lowercase_letters_and_digits(components):
    incident = services.declare_incident(name="Slow pages", body="Looking into it.")
    for public_id in (incident.public_id, components["API"].public_id):
        assert len(public_id) == 12
        assert public_id.isalnum() and public_id == public_id.lower()


def test_update_moves_through_statuses_and_stamps_times(components):
    api = components["API"]
    incident = services.declare_incident(
        name="Login failures", body="Investigating.", component_statuses={api: "partial_outage"}
    )
    services.post_update(incident=incident, status="identified", body="A bad deploy.")
    services.post_update(incident=incident, status="monitoring", body="Rolled back.")
    monitoring_at = Incident.objects.get(pk=incident.pk).monitoring_at
    services.post_update(incident=incident, status="identified", body="Errors are back.")
    services.post_update(incident=incident, status="monitoring", body="Fixed again.")

    incident.refresh_from_db()
    assert incident.monitoring_at == monitoring_at  # the first time it was monitored
    assert incident.resolved_at is None
    assert list(incident.updates.values_list("status", flat=True)) == [
        "monitoring",
        "identified",
        "monitoring",
        "identified",
        "investigating",
    ]


def test_resolving_returns_affected_components_to_operational(components):
    api, web = components["API"], components["Web"]
    incident = services.declare_incident(
        name="Outage",
        body="Down.",
        component_statuses={api: "major_outage", web: "major_outage"},
    )

    update = services.resolve_incident(incident=incident, body="All clear.")

    api.refresh_from_db()
    web.refresh_from_db()
    incident.refresh_from_db()
    assert (api.status, web.status) == ("operational", "operational")
    assert incident.status == "resolved"
    assert incident.resolved_at == update.display_at
    assert incident.impact == "major"  # the peak stays, though every component recovered
    assert update.affected_components.count() == 2
    assert ComponentStatusChange.objects.filter(incident_update=update).count() == 2


def test_resolving_without_restore_leaves_components_alone(components):
    api = components["API"]
    incident = services.declare_incident(
        name="Outage", body="Down.", component_statuses={api: "major_outage"}
    )
    services.resolve_incident(incident=incident, body="Resolved.", restore_components=False)
    api.refresh_from_db()
    assert api.status == "major_outage"


def test_resolving_keeps_a_component_another_open_incident_holds(components):
    api = components["API"]
    first = services.declare_incident(
        name="Errors", body="…", component_statuses={api: "partial_outage"}
    )
    services.declare_incident(name="Latency", body="…", component_statuses={api: "partial_outage"})
    services.resolve_incident(incident=first, body="Errors fixed.")
    api.refresh_from_db()
    assert api.status == "partial_outage"


def test_resolving_twice_is_rejected_and_writes_nothing(components):
    incident = services.declare_incident(name="Outage", body="Down.")
    services.resolve_incident(incident=incident, body="Fixed.")
    before = row_counts()

    with pytest.raises(ValidationError) as error:
        services.resolve_incident(incident=incident, body="Fixed again.")

    assert error.value.messages == ["This incident is resolved; reopen it to post another update."]
    assert row_counts() == before


def test_update_to_resolved_incident_is_rejected_until_reopened(components):
    api = components["API"]
    incident = services.declare_incident(
        name="Outage", body="Down.", component_statuses={api: "major_outage"}
    )
    services.resolve_incident(incident=incident, body="Fixed.")

    with pytest.raises(ValidationError):
        services.post_update(incident=incident, status="investigating", body="Back.")

    services.reopen_incident(
        incident=incident,
        body="The errors returned.",
        component_statuses={api: "partial_outage"},
    )
    incident.refresh_from_db()
    api.refresh_from_db()
    assert incident.status == "investigating"
    assert incident.resolved_at is None
    assert api.status == "partial_outage"
    assert AuditEntry.objects.filter(action="reopen").count() == 1


def test_reopening_an_open_incident_is_rejected(components):
    incident = services.declare_incident(name="Outage", body="Down.")
    before = row_counts()
    with pytest.raises(ValidationError) as error:
        services.reopen_incident(incident=incident, body="Again.")
    assert error.value.messages == ["Only a resolved incident can be reopened."]
    assert row_counts() == before


def test_reopening_into_resolved_is_rejected(components):
    incident = services.declare_incident(name="Outage", body="Down.")
    services.resolve_incident(incident=incident, body="Fixed.")
    before = row_counts()
    with pytest.raises(ValidationError) as error:
        services.reopen_incident(incident=incident, body="Again.", status="resolved")
    assert error.value.message_dict == {
        "status": ["Reopen with investigating, identified or monitoring."]
    }
    assert row_counts() == before


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"name": "  "}, {"name": ["This field is required."]}),
        ({"name": "x" * 201}, {"name": ["At most 200 characters (this one has 201)."]}),
        ({"body": ""}, {"body": ["This field is required."]}),
        (
            {"status": "postmortem"},
            {"status": ["“postmortem” is set by publishing a post-mortem, not by an update."]},
        ),
        (
            {"status": "broken"},
            {
                "status": [
                    "“broken” is not an incident status; use one of "
                    "investigating, identified, monitoring, resolved."
                ]
            },
        ),
        (
            {"impact_override": "apocalyptic"},
            {
                "impact_override": [
                    "“apocalyptic” is not an impact; use one of none, minor, major, critical, "
                    "or leave it empty."
                ]
            },
        ),
    ],
)
def test_bad_declaration_is_rejected_with_a_precise_message(components, changes, expected):
    arguments = {"name": "Outage", "body": "Down."} | changes
    before = row_counts()
    with pytest.raises(ValidationError) as error:
        services.declare_incident(**arguments)
    assert error.value.message_dict == expected
    assert row_counts() == before


def test_bad_component_status_is_rejected_and_nothing_changes(components):
    api = components["API"]
    before = row_counts()
    with pytest.raises(ValidationError) as error:
        services.declare_incident(name="Outage", body="Down.", component_statuses={api: "on_fire"})
    assert error.value.message_dict == {
        "component_statuses": [
            "“on_fire” is not a component status; use one of operational, degraded_performance, "
            "partial_outage, major_outage, under_maintenance."
        ]
    }
    assert row_counts() == before
    assert Component.objects.get(pk=api.pk).status == "operational"


def test_update_display_time_in_the_future_is_rejected(components):
    incident = services.declare_incident(name="Outage", body="Down.")
    before = row_counts()
    with pytest.raises(ValidationError) as error:
        services.post_update(
            incident=incident,
            status="identified",
            body="Found it.",
            display_at=timezone.now() + timedelta(hours=1),
        )
    assert error.value.message_dict == {"display_at": ["The time can't be in the future."]}
    assert row_counts() == before


def test_failure_midway_rolls_back_the_whole_update(components, monkeypatch):
    """A crash after the update row and one status change were written leaves nothing behind."""
    api, web = components["API"], components["Web"]
    incident = services.declare_incident(name="Outage", body="Down.")
    before = row_counts()
    from incidents.services import timeline

    real = timeline.set_component_status
    calls = []

    def fail_on_second(**kwargs):
        calls.append(kwargs["component"])
        if len(calls) == 2:
            raise RuntimeError("database went away")
        return real(**kwargs)

    monkeypatch.setattr(timeline, "set_component_status", fail_on_second)
    with pytest.raises(RuntimeError):
        services.post_update(
            incident=incident,
            status="identified",
            body="Found it.",
            component_statuses={api: "major_outage", web: "major_outage"},
        )
    assert row_counts() == before
    assert set(Component.objects.values_list("status", flat=True)) == {"operational"}


def test_backfilled_incident_writes_history_at_its_times_and_keeps_current_statuses(components):
    api = components["API"]
    services.edit_component(component=api, status="degraded_performance")
    started = timezone.now() - timedelta(days=10)

    incident = services.declare_incident(
        name="Old outage",
        body="Down.",
        component_statuses={api: "major_outage"},
        started_at=started,
        backfilled=True,
    )
    services.resolve_incident(
        incident=incident, body="Fixed.", display_at=started + timedelta(hours=2)
    )

    api.refresh_from_db()
    assert api.status == "degraded_performance"
    backfill = ComponentStatusChange.objects.filter(source="backfill").order_by("created_at")
    assert [(c.old_status, c.new_status, c.created_at) for c in backfill] == [
        ("operational", "major_outage", started),
        ("major_outage", "operational", started + timedelta(hours=2)),
    ]
    incident.refresh_from_db()
    assert incident.resolved_at == started + timedelta(hours=2)
    assert incident.updates.filter(deliver_notifications=True).count() == 0


def test_edit_incident_renames_and_overrides_impact(components, oncall):
    incident = services.declare_incident(
        name="Outage", body="Down.", component_statuses={components["API"]: "partial_outage"}
    )
    assert incident.impact == "minor"
    services.edit_incident(
        incident=incident, name="API outage", impact_override="critical", actor=oncall
    )
    assert (incident.name, incident.impact) == ("API outage", "critical")
    services.edit_incident(incident=incident, impact_override="")
    assert incident.impact == "minor"
