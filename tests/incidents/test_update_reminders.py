"""Update reminders: an open public incident without a public update for the page's reminder
minutes reminds its author and the On-call group once per interval, by e-mail in each one's
language, on a frozen clock; never for a draft, a resolved incident, a maintenance or a
backfilled record; each interval claimed once, even by two beats at once; the page settings
that drive it validated."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connections, transaction

from incidents import selectors, services
from incidents.models import AuditEntry, Incident, PageSettings
from notify import tasks
from notify import update_reminders as notify_reminders
from tests.alert_data import am_alert, make_integration
from tests.factories import UserFactory
from tests.incidents.test_admin import form_data, form_errors
from tests.incidents.test_idempotency import (
    ON_POSTGRESQL,
    blocked_on_a_lock,
    run_together,
    wait_until,
)

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


@pytest.fixture
def people(db):
    # get_or_create: a transaction=True test may run after another has flushed the migrations'
    # groups away.
    on_call, _ = Group.objects.get_or_create(name="On-call")
    made = {
        "aiko": UserFactory(username="aiko", email="aiko@example.com", first_name="Aiko"),
        "kenji": UserFactory(username="kenji", email="kenji@example.com"),
        "mio": UserFactory(username="mio", email="mio@example.com"),
        "gone": UserFactory(username="gone", email="gone@example.com", is_active=False),
        "mute": UserFactory(username="mute", email=""),
        "vera": UserFactory(username="vera", email="vera@example.com"),
    }
    for name in ("kenji", "mio", "gone", "mute"):
        made[name].groups.add(on_call)
    made["vera"].groups.add(Group.objects.get_or_create(name="Viewer")[0])
    return made


def declare(author=None, *, when: datetime = T0, **fields) -> Incident:
    with time_machine.travel(when, tick=False):
        return services.declare_incident(
            name=fields.pop("name", "API errors"),
            body="Investigating.",
            author=author,
            deliver_notifications=False,
            **fields,
        )


def post(incident: Incident, when: datetime, status: str = "identified") -> None:
    with time_machine.travel(when, tick=False):
        services.post_update(
            incident=incident, status=status, body="Still on it.", deliver_notifications=False
        )


def beat(when: datetime) -> list[str]:
    """The beat task as a worker runs it, at `when`."""
    with time_machine.travel(when, tick=False):
        return tasks.remind_silent_incidents.apply().get()


def sent(mailoutbox) -> list[tuple[str, str]]:
    return [(m.to[0], m.subject) for m in mailoutbox]


# --- once per interval ---------------------------------------------------------------------------


def test_each_interval_of_silence_reminds_the_author_and_on_call_once(people, mailoutbox):
    incident = declare(people["aiko"])

    assert [beat(at(m)) for m in (1, 29.9)] == [[], []]
    assert beat(at(30)) == [incident.public_id]
    assert [beat(at(m)) for m in (30, 31, 45, 59.9)] == [[], [], [], []]
    assert beat(at(60.5)) == [incident.public_id]

    assert sent(mailoutbox) == [
        ("aiko@example.com", "No public update for 30 min: API errors"),
        ("kenji@example.com", "No public update for 30 min: API errors"),
        ("mio@example.com", "No public update for 30 min: API errors"),
        ("aiko@example.com", "No public update for 1 h 0 min: API errors"),
        ("kenji@example.com", "No public update for 1 h 0 min: API errors"),
        ("mio@example.com", "No public update for 1 h 0 min: API errors"),
    ]
    assert Incident.objects.get().silence_reminded_for == at(60)


def test_a_public_update_starts_the_count_again(people, mailoutbox):
    incident = declare(people["aiko"])
    assert beat(at(30)) == [incident.public_id]

    post(incident, at(40))

    assert [beat(at(m)) for m in (60, 69.9)] == [[], []]
    assert beat(at(70)) == [incident.public_id]
    assert len(mailoutbox) == 6


def test_a_beat_down_for_hours_sends_one_reminder_for_the_latest_interval(people, mailoutbox):
    incident = declare(people["aiko"])

    assert beat(at(135)) == [incident.public_id]
    assert beat(at(140)) == []

    assert {subject for _, subject in sent(mailoutbox)} == {
        "No public update for 2 h 15 min: API errors"
    }
    assert Incident.objects.get().silence_reminded_for == at(120)


def test_the_reminder_says_which_incident_how_long_and_where_to_post(people, mailoutbox):
    incident = declare(people["aiko"])
    post(incident, at(5))

    beat(at(35))

    first = mailoutbox[0]
    assert first.body == (
        "Hello Aiko,\n\n"
        "The incident “API errors” has had no public update for 30 min: the last one was at "
        "2026-03-10 10:05 UTC. Customers are waiting to hear from you. Post an update, even if "
        "only to say the work goes on:\n"
        f"{settings.SITE_URL}/admin/incidents/incident/{incident.pk}/change/\n\n"
        "You are reminded again after every 30 minutes of silence, until the incident is "
        "resolved.\n"
    )
    assert first.from_email == settings.DEFAULT_FROM_EMAIL
    assert mailoutbox[1].body.startswith("Hello kenji,\n\n")


def test_the_last_update_is_written_in_the_page_s_time_zone(people, mailoutbox):
    services.edit_page_settings(time_zone="Asia/Tokyo")
    declare(people["aiko"])

    beat(at(30))

    assert "the last one was at 2026-03-10 19:00 JST." in mailoutbox[0].body


def test_each_member_is_reminded_in_the_language_they_use_the_console_in(people, mailoutbox):
    services.remember_language(user=people["kenji"], language="ja")
    declare(people["aiko"], name_ja="APIのエラー")

    beat(at(30))

    aiko, kenji, mio = mailoutbox
    assert aiko.subject == "No public update for 30 min: API errors"
    assert "APIのエラー" in kenji.subject and "30 分" in kenji.subject
    assert mio.subject == aiko.subject  # never signed in: the default language


def test_an_incident_without_an_author_reminds_on_call_alone(people, mailoutbox):
    declare()

    beat(at(30))

    assert [to for to, _ in sent(mailoutbox)] == ["kenji@example.com", "mio@example.com"]


def test_the_author_in_on_call_is_reminded_once(people, mailoutbox):
    declare(people["kenji"])

    beat(at(30))

    assert [to for to, _ in sent(mailoutbox)] == ["kenji@example.com", "mio@example.com"]


# --- what is never reminded of ------------------------------------------------------------------


def test_resolved_backfilled_and_maintenance_are_never_reminded_of(people, mailoutbox):
    resolved = declare(people["aiko"], name="Fixed")
    post(resolved, at(10), status="resolved")
    declare(people["aiko"], name="Last year", backfilled=True, when=at(-60 * 24))
    with time_machine.travel(at(-60), tick=False):
        window = services.schedule_maintenance(
            name="Database upgrade",
            body="Upgrading.",
            scheduled_for=at(-30),
            scheduled_until=at(240),
        )
    with time_machine.travel(at(-30), tick=False):
        services.start_maintenance(maintenance=window)

    assert beat(at(120)) == []
    assert mailoutbox == []


def test_a_draft_is_not_reminded_of_and_a_published_one_counts_from_its_publication(
    people, components, mailoutbox
):
    prometheus, _ = make_integration(rules={("service", "api"): components["API"]})
    with time_machine.travel(T0, tick=False):
        alert = am_alert(service="api", starts_at="2026-03-10T09:50:00Z")
        delivery = services.AlertDelivery(
            group_key="api",
            alerts=[
                services.IncomingAlert(
                    fingerprint=alert["fingerprint"],
                    status="firing",
                    name="HighLatency",
                    labels=alert["labels"],
                    starts_at=datetime.fromisoformat(alert["startsAt"]),
                )
            ],
        )
        draft = services.receive_alerts(integration=prometheus, delivery=delivery, now=T0).incident

    assert beat(at(45)) == []
    with time_machine.travel(at(50), tick=False):
        services.publish_draft(incident=draft)

    assert beat(at(79)) == []
    assert beat(at(80)) == [draft.public_id]
    assert [to for to, _ in sent(mailoutbox)] == ["kenji@example.com", "mio@example.com"]


def test_zero_minutes_turn_reminders_off(people, mailoutbox):
    services.edit_page_settings(update_reminder_minutes=0)
    declare(people["aiko"])

    assert beat(at(600)) == []
    assert mailoutbox == []


def test_the_interval_is_the_page_s(people, mailoutbox):
    services.edit_page_settings(update_reminder_minutes=10)
    incident = declare(people["aiko"])

    assert [beat(at(m)) for m in (9, 10, 15, 20)] == [
        [],
        [incident.public_id],
        [],
        [incident.public_id],
    ]


# --- the claim ------------------------------------------------------------------------------------


def test_a_claim_is_made_once_per_interval_and_never_for_an_earlier_one(people):
    incident = declare(people["aiko"])

    def claim(due_minutes: int) -> bool:
        return services.claim_update_reminder(
            incident=incident, last_word_at=T0, due_at=at(due_minutes)
        )

    assert [claim(30), claim(30), claim(60), claim(30), claim(90)] == [
        True,
        False,
        True,
        False,
        True,
    ]
    assert AuditEntry.objects.filter(action="remind").count() == 0


def test_a_claim_fails_once_a_newer_update_or_the_resolution_came(people, mailoutbox):
    incident = declare(people["aiko"])
    [silent] = selectors.silent_incidents(now=at(30), minutes=30)
    post(incident, at(29))

    claimed = services.claim_update_reminder(
        incident=incident, last_word_at=silent.last_word_at, due_at=silent.due_at
    )

    assert claimed is False
    post(incident, at(70), status="resolved")
    assert (
        services.claim_update_reminder(incident=incident, last_word_at=at(29), due_at=at(59))
        is False
    )


def test_a_reminder_that_fails_to_send_is_not_sent_again(people, mailoutbox, settings, caplog):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens: refused
    incident = declare(people["aiko"])

    assert beat(at(30)) == [incident.public_id]
    assert beat(at(31)) == []

    failures = [r.getMessage() for r in caplog.records if r.name == "notify.update_reminders"]
    assert len(failures) == 3
    assert failures[0].startswith(f"update reminder of incident {incident.public_id} to member ")
    assert "aiko@example.com" not in caplog.text


def test_the_beat_runs_the_task_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["update-reminders"]
    assert (entry["task"], entry["schedule"]) == ("notify.tasks.remind_silent_incidents", 60.0)
    assert tasks.remind_silent_incidents.name == entry["task"]


# --- the page settings ---------------------------------------------------------------------------


@pytest.mark.parametrize("minutes", [-1, 1441])
def test_reminder_minutes_outside_a_day_are_refused(minutes):
    with pytest.raises(ValidationError) as raised:
        services.edit_page_settings(update_reminder_minutes=minutes)

    assert list(raised.value.message_dict) == ["update_reminder_minutes"]
    assert PageSettings.objects.get().update_reminder_minutes == 30
    assert AuditEntry.objects.count() == 0


def test_a_day_is_the_longest_interval():
    page = services.edit_page_settings(update_reminder_minutes=1440)
    assert page.update_reminder_minutes == 1440


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/services/T0/B0/abc",  # not a Slack host
        "http://hooks.slack.com/services/T0/B0/abc",  # not https
        "https://hooks.slack.com/api/chat.postMessage",  # not an incoming webhook
        "https://127.0.0.1/services/T0/B0/abc",  # a private address
        "not a url",
    ],
)
def test_a_team_webhook_that_is_not_a_slack_incoming_webhook_is_refused(url):
    with pytest.raises(ValidationError) as raised:
        services.edit_page_settings(team_slack_webhook_url=url)

    assert list(raised.value.message_dict) == ["team_slack_webhook_url"]
    assert PageSettings.objects.get().team_slack_webhook_url == ""
    assert AuditEntry.objects.count() == 0


def test_a_slack_incoming_webhook_is_kept_and_audited_by_name_only():
    url = "https://hooks.slack.com/services/T0001/B0001/abcDEF123"

    services.edit_page_settings(team_slack_webhook_url=url)

    assert PageSettings.objects.get().team_slack_webhook_url == url
    assert AuditEntry.objects.get().summary == "team_slack_webhook_url"


SLACK_URL = "https://hooks.slack.com/services/T0001/B0001/abcDEF123"
SETTINGS_PAGE = "/admin/incidents/pagesettings/1/change/"


def test_an_owner_sets_the_reminders_in_the_console(client, owner):
    client.force_login(owner)
    data = form_data(client.get(SETTINGS_PAGE), "pagesettings_form")
    data |= {"update_reminder_minutes": "15", "team_slack_webhook_url": SLACK_URL}

    response = client.post(SETTINGS_PAGE, data)

    assert response.status_code == 302, form_errors(response)
    page = PageSettings.objects.get()
    assert (page.update_reminder_minutes, page.team_slack_webhook_url) == (15, SLACK_URL)
    assert SLACK_URL in client.get(SETTINGS_PAGE).content.decode()


def test_the_console_shows_a_refused_webhook_beside_its_field(client, owner):
    client.force_login(owner)
    data = form_data(client.get(SETTINGS_PAGE), "pagesettings_form")
    data |= {"team_slack_webhook_url": "https://example.com/services/T0/B0/abc"}

    response = client.post(SETTINGS_PAGE, data)

    assert form_errors(response) == {
        "team_slack_webhook_url": [
            "“https://example.com/services/T0/B0/abc” is not a Slack incoming-webhook URL "
            "(https://hooks.slack.com/services/…)."
        ]
    }
    assert PageSettings.objects.get().team_slack_webhook_url == ""


@pytest.mark.parametrize("reader", ["viewer", "oncall"])
def test_a_member_who_may_only_read_the_settings_sees_the_webhook_s_host_alone(
    client, reader, request
):
    services.edit_page_settings(team_slack_webhook_url=SLACK_URL)
    client.force_login(request.getfixturevalue(reader))

    html = client.get(SETTINGS_PAGE).content.decode()

    assert "hooks.slack.com/…" in html
    assert "T0001" not in html and "abcDEF123" not in html


# --- two beats at once (PostgreSQL) --------------------------------------------------------------


@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_two_beats_at_once_remind_once(people, mailoutbox):
    incident = declare(people["aiko"])
    done, results = {}, []

    def run() -> list[str]:
        return notify_reminders.remind_silent_incidents(now=at(30))

    def first() -> None:
        try:
            with transaction.atomic():
                results.append(run())
                done["first"] = True
                wait_until(blocked_on_a_lock, "the second beat to wait on the first's claim")
        finally:
            connections.close_all()

    def second() -> None:
        try:
            wait_until(lambda: done.get("first", False), "the first beat to claim")
            results.append(run())
        finally:
            connections.close_all()

    run_together(first, second)

    assert results == [[incident.public_id], []]
    assert len(mailoutbox) == 3
