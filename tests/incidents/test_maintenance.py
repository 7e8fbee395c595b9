"""Scheduled maintenance: scheduling rules and the automatic start/complete sweep (frozen clock)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from incidents import services, tasks
from incidents.models import ComponentStatusChange, Incident, IncidentUpdate

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
START = T0 + timedelta(hours=1)
END = T0 + timedelta(hours=3)


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def window(clock, components):
    return services.schedule_maintenance(
        name="Database upgrade",
        body="We will upgrade the primary database.",
        scheduled_for=START,
        scheduled_until=END,
        components=[components["Database"], components["API"]],
        remind_minutes_before=60,
    )


def statuses(components):
    return {name: c.__class__.objects.get(pk=c.pk).status for name, c in components.items()}


def counts():
    return (
        Incident.objects.count(),
        IncidentUpdate.objects.count(),
        ComponentStatusChange.objects.count(),
    )


def test_scheduling_stores_the_window_and_first_update(window, components):
    assert window.kind == "maintenance"
    assert window.status == "scheduled"
    assert (window.scheduled_for, window.scheduled_until) == (START, END)
    assert window.remind_minutes_before == 60
    assert window.impact == "none"
    assert list(window.updates.values_list("status", "body")) == [
        ("scheduled", "We will upgrade the primary database.")
    ]
    assert set(statuses(components).values()) == {"operational"}


def test_sweep_starts_at_the_start_and_completes_at_the_end(window, components, clock):
    assert services.run_due_maintenance() == {"started": [], "completed": []}

    clock.move_to(START)
    assert services.run_due_maintenance() == {"started": [window.public_id], "completed": []}
    window.refresh_from_db()
    assert window.status == "in_progress"
    assert window.started_at == START
    assert statuses(components) == {
        "API": "under_maintenance",
        "Web": "operational",
        "Database": "under_maintenance",
    }
    started = window.updates.get(status="in_progress")
    assert started.body.startswith("The scheduled maintenance has started.")
    assert started.body_ja.startswith("予定していたメンテナンスを開始しました。")
    assert ComponentStatusChange.objects.filter(source="maintenance").count() == 2

    clock.move_to(END + timedelta(seconds=1))
    assert services.run_due_maintenance() == {"started": [], "completed": [window.public_id]}
    window.refresh_from_db()
    assert window.status == "completed"
    assert window.resolved_at == END + timedelta(seconds=1)
    assert set(statuses(components).values()) == {"operational"}
    assert ComponentStatusChange.objects.filter(source="maintenance").count() == 4


def test_running_the_sweep_twice_moves_each_window_once(window, clock):
    clock.move_to(START + timedelta(seconds=30))
    services.run_due_maintenance()
    before = counts()
    assert services.run_due_maintenance() == {"started": [], "completed": []}
    assert counts() == before
    assert window.updates.count() == 2


def test_the_beat_task_runs_the_sweep(window, clock):
    clock.move_to(START)
    result = tasks.run_due_maintenance.apply().get()
    assert result == {"started": [window.public_id], "completed": []}


def test_a_window_missed_entirely_is_started_and_completed_in_one_run(window, components, clock):
    clock.move_to(END + timedelta(hours=1))
    moved = services.run_due_maintenance()
    assert moved == {"started": [window.public_id], "completed": [window.public_id]}
    window.refresh_from_db()
    assert list(window.updates.values_list("status", flat=True)) == [
        "completed",
        "in_progress",
        "scheduled",
    ]
    assert set(statuses(components).values()) == {"operational"}


def test_manual_windows_wait_for_a_person(clock, components):
    manual = services.schedule_maintenance(
        name="Manual",
        body="…",
        scheduled_for=START,
        scheduled_until=END,
        components=[components["Web"]],
        auto_start=False,
        auto_complete=False,
    )
    clock.move_to(END + timedelta(hours=1))
    assert services.run_due_maintenance() == {"started": [], "completed": []}
    services.start_maintenance(maintenance=manual)
    assert statuses(components)["Web"] == "under_maintenance"
    assert services.run_due_maintenance() == {"started": [], "completed": []}


def test_components_stay_put_when_the_window_says_so(clock, components):
    services.schedule_maintenance(
        name="Quiet",
        body="…",
        scheduled_for=START,
        scheduled_until=END,
        components=[components["Web"]],
        set_components_under_maintenance=False,
    )
    clock.move_to(START)
    services.run_due_maintenance()
    assert statuses(components)["Web"] == "operational"


def test_overlapping_window_keeps_its_component_in_maintenance(window, components, clock):
    services.schedule_maintenance(
        name="Longer window",
        body="…",
        scheduled_for=START,
        scheduled_until=END + timedelta(hours=2),
        components=[components["Database"]],
    )
    clock.move_to(START)
    services.run_due_maintenance()
    clock.move_to(END + timedelta(minutes=1))
    services.run_due_maintenance()
    assert statuses(components)["Database"] == "under_maintenance"
    assert statuses(components)["API"] == "operational"
    clock.move_to(END + timedelta(hours=2, minutes=1))
    services.run_due_maintenance()
    assert statuses(components)["Database"] == "operational"


def test_a_component_that_broke_during_maintenance_is_not_marked_operational(
    window, components, clock
):
    clock.move_to(START)
    services.run_due_maintenance()
    services.edit_component(component=components["API"], status="major_outage")
    clock.move_to(END)
    services.run_due_maintenance()
    assert statuses(components)["API"] == "major_outage"


def test_verifying_then_completing_by_hand(window, clock):
    clock.move_to(START)
    services.run_due_maintenance()
    services.post_maintenance_update(maintenance=window, status="verifying", body="Checking.")
    services.complete_maintenance(maintenance=window, body="All done.")
    window.refresh_from_db()
    assert window.status == "completed"


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (
            {"scheduled_until": START - timedelta(minutes=1)},
            {"scheduled_until": ["The maintenance must end after it starts."]},
        ),
        (
            {"scheduled_for": T0 - timedelta(hours=3), "scheduled_until": T0 - timedelta(hours=1)},
            {"scheduled_until": ["This window has already ended; pick an end in the future."]},
        ),
        (
            {"remind_minutes_before": -5},
            {
                "remind_minutes_before": [
                    "The reminder must be zero or more minutes before the start."
                ]
            },
        ),
        ({"name": ""}, {"name": ["This field is required."]}),
    ],
)
def test_bad_schedule_is_rejected_and_writes_nothing(clock, components, arguments, expected):
    before = counts()
    with pytest.raises(ValidationError) as error:
        services.schedule_maintenance(
            **{
                "name": "Upgrade",
                "body": "…",
                "scheduled_for": START,
                "scheduled_until": END,
                **arguments,
            }
        )
    assert error.value.message_dict == expected
    assert counts() == before


def test_naive_window_is_rejected(clock):
    with pytest.raises(ValidationError) as error:
        services.schedule_maintenance(
            name="Upgrade",
            body="…",
            scheduled_for=datetime(2026, 5, 1, 10, 0),
            scheduled_until=datetime(2026, 5, 1, 11, 0),
        )
    assert error.value.messages == ["The maintenance window needs times with a time zone."]
    assert Incident.objects.count() == 0


def test_maintenance_never_steps_back_and_completed_is_final(window, clock):
    clock.move_to(START)
    services.run_due_maintenance()
    before = counts()
    with pytest.raises(ValidationError) as error:
        services.post_maintenance_update(maintenance=window, status="scheduled", body="Undo.")
    assert error.value.message_dict == {
        "status": ["A maintenance can't go back from in_progress to scheduled."]
    }
    assert counts() == before
    services.complete_maintenance(maintenance=window)
    before = counts()
    with pytest.raises(ValidationError) as error:
        services.post_maintenance_update(maintenance=window, status="completed", body="Again.")
    assert error.value.messages == ["This maintenance is completed; it takes no more updates."]
    assert counts() == before


def test_incident_and_maintenance_updates_do_not_mix(window, components):
    incident = services.declare_incident(name="Outage", body="Down.")
    with pytest.raises(ValidationError):
        services.post_update(incident=window, status="investigating", body="…")
    with pytest.raises(ValidationError):
        services.post_maintenance_update(maintenance=incident, status="in_progress", body="…")


def test_editing_a_scheduled_window_moves_it_and_its_components(window, components, oncall):
    later = START + timedelta(days=1)
    services.edit_maintenance(
        maintenance=window,
        scheduled_for=later,
        scheduled_until=later + timedelta(hours=2),
        components=[components["Web"]],
        remind_minutes_before=30,
        actor=oncall,
    )
    window.refresh_from_db()
    assert (window.scheduled_for, window.started_at) == (later, later)
    assert window.remind_minutes_before == 30
    assert list(window.components.values_list("name", flat=True)) == ["Web"]
    from incidents.models import AuditEntry

    assert AuditEntry.objects.get(action="edit", object_id=window.public_id).summary == (
        "scheduled_for, scheduled_until, remind_minutes_before, started_at, components"
    )


def test_a_started_window_may_only_be_extended(window, components, clock):
    clock.move_to(START)
    services.run_due_maintenance()
    services.edit_maintenance(maintenance=window, scheduled_until=END + timedelta(hours=1))
    window.refresh_from_db()
    assert window.scheduled_until == END + timedelta(hours=1)
    before = counts()
    with pytest.raises(ValidationError) as error:
        services.edit_maintenance(maintenance=window, scheduled_for=START - timedelta(hours=1))
    assert error.value.message_dict == {
        "scheduled_for": ["The window has started; its start can't move."]
    }
    with pytest.raises(ValidationError) as error:
        services.edit_maintenance(maintenance=window, components=[components["Web"]])
    assert error.value.message_dict == {
        "components": ["The window has started; its components can't change."]
    }
    assert counts() == before
    window.refresh_from_db()
    assert window.scheduled_for == START


def test_a_completed_window_cannot_be_edited(window, clock):
    clock.move_to(END)
    services.run_due_maintenance()
    with pytest.raises(ValidationError) as error:
        services.edit_maintenance(maintenance=window, scheduled_until=END + timedelta(hours=1))
    assert error.value.messages == ["This maintenance is completed; its window can't change."]


def test_an_edit_to_an_ended_window_is_rejected(window, clock):
    with pytest.raises(ValidationError) as error:
        services.edit_maintenance(maintenance=window, scheduled_until=T0 - timedelta(minutes=1))
    assert error.value.message_dict == {
        "scheduled_until": ["The maintenance must end after it starts."]
    }
    window.refresh_from_db()
    assert window.scheduled_until == END


def test_the_reminder_goes_once_when_its_time_comes(window, clock):
    from notify.models import Notification

    clock.move_to(START - timedelta(minutes=61))
    assert services.send_due_reminders() == []  # the reminder is due 60 minutes before
    clock.move_to(START - timedelta(minutes=59))
    assert services.send_due_reminders() == [window.public_id]
    assert services.send_due_reminders() == []
    reminders = Notification.objects.filter(kind="maintenance_reminder")
    assert [(n.incident_id, n.update_id) for n in reminders] == [(window.pk, None)]
    window.refresh_from_db()
    assert window.reminded_at == START - timedelta(minutes=59)


def test_a_window_already_started_is_not_reminded_of(window, clock):
    clock.move_to(START + timedelta(minutes=1))
    assert services.send_due_reminders() == []


def test_a_window_without_a_reminder_is_left_alone(clock, components):
    services.schedule_maintenance(
        name="Quiet", body="…", scheduled_for=START, scheduled_until=END, components=[]
    )
    clock.move_to(START - timedelta(minutes=1))
    assert services.send_due_reminders() == []
