"""Chasing overdue recovery actions: one email per overdue action per day to its owner, through
the e-mail channel, however often the daily task runs, on a frozen clock."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.conf import settings

from incidents import services
from incidents.models import AuditEntry, RecoveryAction
from notify import chase as notify_chase
from notify import tasks
from tests.factories import UserFactory
from tests.incidents.postmortem_data import hand_built_incident, make_components

pytestmark = pytest.mark.django_db

# 09:00 UTC on 15 March: the beat schedule's time. The page's zone is UTC in these tests.
MORNING = datetime(2026, 3, 15, 9, 0, tzinfo=UTC)
TODAY = date(2026, 3, 15)


@pytest.fixture
def people():
    return {
        "aiko": UserFactory(username="aiko", email="aiko@example.com", first_name="Aiko"),
        "kenji": UserFactory(username="kenji", email="kenji@example.com"),
        "mute": UserFactory(username="mute", email=""),
    }


@pytest.fixture
def actions(people):
    incident = hand_built_incident(make_components())

    def add(title: str, owner, due_on: date | None, state: str = "open"):
        action = services.create_recovery_action(
            incident=incident, title=title, kind="prevent", owner=owner, due_on=due_on
        )
        if state == "done":
            services.complete_recovery_action(action=action)
        elif state == "in_progress":
            services.start_recovery_action(action=action)
        return action

    return {
        "late": add("Add a canary stage", people["aiko"], date(2026, 3, 12)),
        "started": add("Rehearse the rollback", people["kenji"], date(2026, 3, 14), "in_progress"),
        "due today": add("Write the runbook", people["aiko"], TODAY),
        "done": add("Revert the change", people["aiko"], date(2026, 3, 11), "done"),
        "no owner": add("Review alerts", None, date(2026, 3, 1)),
        "no email": add("Tidy dashboards", people["mute"], date(2026, 3, 1)),
        "undated": add("Someday", people["aiko"], None),
    }


def chase(day: date = TODAY) -> list[str]:
    return notify_chase.chase_overdue_actions(today=day)


def test_each_overdue_action_is_chased_once_a_day(actions, mailoutbox):
    first = chase()
    second = chase()

    assert first == [actions["late"].public_id, actions["started"].public_id]
    assert second == []
    assert [(m.to, m.subject) for m in mailoutbox] == [
        (["aiko@example.com"], "Overdue recovery action: Add a canary stage"),
        (["kenji@example.com"], "Overdue recovery action: Rehearse the rollback"),
    ]
    chased = RecoveryAction.objects.filter(last_chased_on=TODAY)
    assert sorted(a.title for a in chased) == ["Add a canary stage", "Rehearse the rollback"]
    assert AuditEntry.objects.filter(action="chase").count() == 2


def test_the_reminder_says_what_is_late_and_where_to_act(actions, mailoutbox):
    chase()

    late = actions["late"]
    assert mailoutbox[0].body == (
        "Hello Aiko,\n\n"
        "This recovery action of the incident “API errors” was due on 2026-03-12 (3 days ago) "
        "and is still open:\n\n"
        "  Add a canary stage\n"
        "  Prevention · priority medium\n\n"
        "Update it, mark it done, or say why it won't be done:\n"
        f"{settings.SITE_URL}/admin/incidents/recoveryaction/{late.pk}/change/\n\n"
        "You get at most one reminder a day for each overdue action.\n"
    )
    assert mailoutbox[0].from_email == settings.DEFAULT_FROM_EMAIL


def test_the_reminder_is_written_in_the_language_the_owner_uses_the_console_in(
    actions, people, mailoutbox
):
    services.remember_language(user=people["aiko"], language="ja")

    chase()

    aiko, kenji = mailoutbox
    assert aiko.subject == "期限切れの再発防止アクション: Add a canary stage"
    assert aiko.body.startswith("Aiko さん\n\nインシデント「API errors」の再発防止アクション")
    assert "（3 日前）" in aiko.body and "1 日 1 通まで" in aiko.body
    assert kenji.subject == "Overdue recovery action: Rehearse the rollback"  # never signed in


def test_the_next_day_brings_one_more_reminder(actions, mailoutbox):
    chase()
    services.complete_recovery_action(action=actions["started"])

    tomorrow = chase(date(2026, 3, 16))

    assert tomorrow == [actions["late"].public_id, actions["due today"].public_id]
    assert len(mailoutbox) == 4


def test_the_daily_task_on_a_frozen_clock_sends_one_reminder_per_action(actions, mailoutbox):
    with time_machine.travel(MORNING, tick=False):
        for _ in range(3):
            tasks.chase_overdue_actions.apply()

    assert len(mailoutbox) == 2
    with time_machine.travel(MORNING.replace(day=16), tick=False):
        tasks.chase_overdue_actions()
    assert len(mailoutbox) == 5


def test_the_day_is_the_page_s_day(actions, mailoutbox):
    # 23:30 UTC on the 14th is already the 15th in Tokyo.
    services.edit_page_settings(time_zone="Asia/Tokyo")
    with time_machine.travel(datetime(2026, 3, 14, 23, 30, tzinfo=UTC), tick=False):
        assert tasks.chase_overdue_actions() == [
            actions["late"].public_id,
            actions["started"].public_id,
        ]
    assert set(RecoveryAction.objects.values_list("last_chased_on", flat=True)) == {None, TODAY}


def test_a_claim_made_by_a_concurrent_run_stops_the_reminder(actions, mailoutbox):
    RecoveryAction.objects.filter(pk=actions["late"].pk).update(last_chased_on=TODAY)

    assert chase() == [actions["started"].public_id]
    assert [m.to for m in mailoutbox] == [["kenji@example.com"]]


def test_a_failed_email_is_not_retried_the_same_day(actions, smtp, caplog):
    smtp.sink.refuse = {"aiko@example.com": "550 5.1.1 no", "kenji@example.com": "550 5.1.1 no"}
    assert chase() == []
    smtp.sink.refuse = {}

    assert chase() == []
    assert smtp.messages == []
    assert [record.getMessage() for record in caplog.records] == [
        f"reminder of action {actions['late'].public_id} not sent: PermanentError",
        f"reminder of action {actions['started'].public_id} not sent: PermanentError",
    ]
    assert "aiko@example.com" not in caplog.text


def test_the_reminder_goes_through_the_smtp_channel_as_plain_text(actions, smtp):
    assert chase() == [actions["late"].public_id, actions["started"].public_id]

    first = smtp.messages[0]
    assert (first["To"], first["Subject"]) == (
        "aiko@example.com",
        "Overdue recovery action: Add a canary stage",
    )
    assert first.get_content_type() == "text/plain"
    assert first["List-Unsubscribe"] is None
    assert first["Auto-Submitted"] == "auto-generated"
    assert first.get_content().startswith("Hello Aiko,\r\n\r\nThis recovery action")
