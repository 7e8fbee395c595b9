"""Recovery actions: recorded with what they are, moved open → in progress → done (or won't
do, with a reason) and back, with every refusal writing nothing; and their progress."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from incidents import selectors, services
from incidents.models import AuditEntry, RecoveryAction
from tests.factories import UserFactory
from tests.incidents.postmortem_data import hand_built_incident, make_components

pytestmark = pytest.mark.django_db


@pytest.fixture
def components():
    return make_components()


@pytest.fixture
def incident(components):
    return hand_built_incident(components)


@pytest.fixture
def owner():
    return UserFactory(username="aiko", email="aiko@example.com")


@pytest.fixture
def action(incident, owner):
    return services.create_recovery_action(
        incident=incident,
        title="Alert on the load balancer's connection limit",
        kind="detect",
        owner=owner,
        due_on=date(2026, 4, 1),
    )


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (RecoveryAction, AuditEntry)}


def rejected(call, **kwargs) -> ValidationError:
    before = row_counts()
    with pytest.raises(ValidationError) as caught:
        call(**kwargs)
    assert row_counts() == before
    return caught.value


def test_creating_records_every_field(incident, owner, components):
    action = services.create_recovery_action(
        incident=incident,
        title=" Raise the connection limit ",
        title_ja="接続数上限の引き上げ",
        kind="repair",
        description="See the runbook.",
        owner=owner,
        due_on=date(2026, 3, 20),
        priority="high",
        tracker_url="https://tracker.example/OPS-12",
        components=[components["API"]],
        public=True,
        actor=owner,
    )

    action.refresh_from_db()
    assert (
        action.title,
        action.title_ja,
        action.kind,
        action.state,
        action.priority,
        action.owner,
        action.due_on,
        action.tracker_url,
        action.public,
        action.completed_at,
        action.last_chased_on,
        action.created_by,
    ) == (
        "Raise the connection limit",
        "接続数上限の引き上げ",
        "repair",
        "open",
        "high",
        owner,
        date(2026, 3, 20),
        "https://tracker.example/OPS-12",
        True,
        None,
        None,
        owner,
    )
    assert [c.name for c in action.components.all()] == ["API"]
    audit = AuditEntry.objects.get(object_id=action.public_id)
    assert (audit.action, audit.summary) == ("create", "Raise the connection limit")


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"title": "  "}, {"title": ["This field is required."]}),
        (
            {"kind": "fix"},
            {
                "kind": [
                    "“fix” is not a kind of action; use one of mitigate, repair, prevent, "
                    "detect, process."
                ]
            },
        ),
        (
            {"priority": "urgent"},
            {"priority": ["“urgent” is not a priority; use one of high, medium, low."]},
        ),
        ({"due_on": "2026-04-01"}, {"due_on": ["The due date must be a date."]}),
        (
            {"tracker_url": "javascript:alert(1)"},
            {"tracker_url": ["Enter the tracker's http or https address."]},
        ),
    ],
)
def test_invalid_values_are_rejected_with_precise_messages(incident, fields, errors):
    values = {"title": "Add an alert", "kind": "detect", **fields}

    error = rejected(services.create_recovery_action, incident=incident, **values)

    assert error.message_dict == errors


def test_an_owner_who_cannot_sign_in_is_rejected(incident):
    gone = UserFactory(username="gone", is_active=False)

    error = rejected(
        services.create_recovery_action, incident=incident, title="x", kind="detect", owner=gone
    )

    assert error.message_dict == {"owner": ["gone can no longer sign in."]}


def test_a_maintenance_has_no_recovery_actions():
    maintenance = services.schedule_maintenance(
        name="Upgrade",
        body="Planned.",
        scheduled_for=timezone.now() + timedelta(hours=1),
        scheduled_until=timezone.now() + timedelta(hours=2),
    )

    error = rejected(
        services.create_recovery_action, incident=maintenance, title="x", kind="detect"
    )

    assert error.messages == ["Recovery actions belong to incidents, not to scheduled maintenance."]


def test_editing_changes_only_what_differs(action, components):
    services.edit_recovery_action(
        action=action,
        title=action.title,
        priority="low",
        components=[components["Web"]],
    )

    action.refresh_from_db()
    assert action.priority == "low"
    assert [c.name for c in action.components.all()] == ["Web"]
    audit = AuditEntry.objects.filter(action="edit").get()
    assert audit.summary == "priority, components"


def test_an_action_goes_through_its_states(action, owner):
    services.start_recovery_action(action=action, actor=owner)
    assert action.state == "in_progress"

    services.complete_recovery_action(action=action, actor=owner)
    assert (action.state, action.completed_at is not None) == ("done", True)

    services.reopen_recovery_action(action=action, actor=owner)
    assert (action.state, action.completed_at) == ("open", None)

    services.decline_recovery_action(
        action=action, reason=" The load balancer is being replaced. ", actor=owner
    )
    assert (action.state, action.wont_do_reason) == (
        "wont_do",
        "The load balancer is being replaced.",
    )

    services.reopen_recovery_action(action=action, actor=owner)
    assert (action.state, action.wont_do_reason) == ("open", "")
    assert list(
        AuditEntry.objects.filter(object_id=action.public_id)
        .order_by("id")
        .values_list("action", flat=True)
    ) == [
        "create",
        "set_state_in_progress",
        "set_state_done",
        "set_state_open",
        "set_state_wont_do",
        "set_state_open",
    ]


def test_declining_needs_a_reason(action):
    error = rejected(services.decline_recovery_action, action=action, reason="  ")

    assert error.message_dict == {"wont_do_reason": ["Say why this action won't be done."]}
    action.refresh_from_db()
    assert action.state == "open"


@pytest.mark.parametrize(
    ("call", "kwargs", "message"),
    [
        (
            services.complete_recovery_action,
            {},
            "This action is done already; reopen it first.",
        ),
        (
            services.decline_recovery_action,
            {"reason": "No."},
            "This action is done already; reopen it first.",
        ),
        (
            services.start_recovery_action,
            {},
            "Only an open action can be started; this one is done.",
        ),
    ],
)
def test_a_done_action_is_reopened_before_anything_else(action, call, kwargs, message):
    services.complete_recovery_action(action=action)

    error = rejected(call, action=action, **kwargs)

    assert error.messages == [message]


def test_only_a_finished_action_is_reopened(action):
    error = rejected(services.reopen_recovery_action, action=action)

    assert error.messages == ["Only a done or declined action can be reopened; this one is open."]


def test_progress_counts_each_kind_in_order(incident):
    def add(kind: str, title: str):
        return services.create_recovery_action(incident=incident, title=title, kind=kind)

    for n in range(5):
        prevention = add("prevent", f"Prevent {n}")
        if n < 3:
            services.complete_recovery_action(action=prevention)
    services.decline_recovery_action(action=add("detect", "Detect"), reason="Covered.")
    add("mitigate", "Mitigate")

    progress = selectors.action_progress(RecoveryAction.objects.all())

    assert [(p.kind, str(p.label), p.total, p.done, p.wont_do) for p in progress] == [
        ("mitigate", "Mitigation", 1, 0, 0),
        ("prevent", "Prevention", 5, 3, 0),
        ("detect", "Detection", 1, 0, 1),
    ]


def test_open_and_overdue_actions_across_incidents(incident, owner):
    def add(title: str, due_on: date | None):
        return services.create_recovery_action(
            incident=incident, title=title, kind="prevent", owner=owner, due_on=due_on
        )

    late = add("Late", date(2026, 3, 1))
    due_today = add("Due today", date(2026, 3, 15))
    undated = add("Undated", None)
    done = add("Done", date(2026, 2, 1))
    services.complete_recovery_action(action=done)
    services.start_recovery_action(action=late)

    today = date(2026, 3, 15)
    assert [a.title for a in selectors.open_actions()] == [
        late.title,
        due_today.title,
        undated.title,
    ]
    assert [a.title for a in selectors.overdue_actions(today)] == [late.title]
