"""Correcting a posted update's text: the original kept in the audit log, the page marked
changed, nobody notified again; bad input and unchanged text write nothing."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from incidents import services
from incidents.changes import mark_page_changed
from incidents.models import AuditEntry, Incident, IncidentUpdate
from notify.models import Delivery, Notification, Subscriber
from tests.incidents.postmortem_data import hand_built_incident

pytestmark = pytest.mark.django_db

POSTED = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)
EDITED = POSTED + timedelta(minutes=20)


@pytest.fixture
def subscriber(db):
    return Subscriber.objects.create(
        channel="email", address="ann@example.com", confirmed_at=timezone.now()
    )


@pytest.fixture
def incident(components, subscriber, django_capture_on_commit_callbacks):
    """An incident whose first update was announced and sent (one notification, one
    delivery, one e-mail)."""
    with (
        time_machine.travel(POSTED, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        return services.declare_incident(
            name="API errors",
            body="We are investigating erors on the API.",
            body_ja="API のエラーを調査しています。",
            component_statuses={components["API"]: "major_outage"},
        )


def first_update(incident: Incident) -> IncidentUpdate:
    return incident.updates.get()


def deferred_by(write) -> list[tuple]:
    """The (callback, robust) pairs `write` registers for the commit, in order."""
    with transaction.atomic():
        start = len(connection.run_on_commit)
        write()
        return [(func, robust) for _, func, robust in connection.run_on_commit[start:]]


def sent() -> tuple[int, int]:
    return Notification.objects.count(), Delivery.objects.count()


def test_editing_keeps_the_original_in_the_audit_log_and_notifies_nobody(
    incident, oncall, mailoutbox, django_capture_on_commit_callbacks
):
    update = first_update(incident)
    assert (sent(), len(mailoutbox)) == ((1, 1), 1)

    with (
        time_machine.travel(EDITED, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        edited = services.edit_update_text(
            update=update, body="We are investigating errors on the API.", actor=oncall
        )

    assert (sent(), len(mailoutbox)) == ((1, 1), 1)
    update.refresh_from_db()
    assert edited.body == update.body == "We are investigating errors on the API."
    assert update.body_ja == "API のエラーを調査しています。"
    assert (update.edited_at, update.updated_at, update.display_at) == (EDITED, EDITED, POSTED)
    incident.refresh_from_db()
    assert incident.updated_at == EDITED
    entry = AuditEntry.objects.get(action="edit_update_text")
    assert (entry.actor, entry.actor_name, entry.object_type, entry.object_id) == (
        oncall,
        "oncall",
        "incidentupdate",
        update.public_id,
    )
    assert entry.summary == (
        f"update {update.public_id} of incident {incident.public_id}\n"
        "body: “We are investigating erors on the API.” → "
        "“We are investigating errors on the API.”"
    )


def test_editing_marks_the_page_changed_and_defers_nothing_else(incident, oncall):
    update = first_update(incident)

    deferred = deferred_by(
        lambda: services.edit_update_text(update=update, body="Corrected.", actor=oncall)
    )

    assert deferred == [(mark_page_changed, True)]


def test_the_japanese_text_alone_can_be_corrected_or_removed(incident, oncall):
    update = first_update(incident)

    services.edit_update_text(update=update, body_ja="API のエラーを調査中です。", actor=oncall)
    services.edit_update_text(update=update, body_ja="  ", actor=oncall)

    update.refresh_from_db()
    assert (update.body, update.body_ja) == ("We are investigating erors on the API.", "")
    summaries = AuditEntry.objects.filter(action="edit_update_text").order_by("id")
    assert [s.summary.splitlines()[1] for s in summaries] == [
        "body_ja: “API のエラーを調査しています。” → “API のエラーを調査中です。”",
        "body_ja: “API のエラーを調査中です。” → “”",
    ]
    assert sent() == (1, 1)


def test_an_empty_text_is_rejected_and_nothing_is_written(incident, oncall):
    update = first_update(incident)
    audits = AuditEntry.objects.count()

    with pytest.raises(ValidationError) as raised:
        services.edit_update_text(update=update, body="  \n ", body_ja="新しい本文", actor=oncall)

    assert raised.value.message_dict == {"body": ["This field is required."]}
    update.refresh_from_db()
    assert (update.body, update.body_ja, update.edited_at) == (
        "We are investigating erors on the API.",
        "API のエラーを調査しています。",
        None,
    )
    assert AuditEntry.objects.count() == audits
    assert sent() == (1, 1)


def test_an_unchanged_text_is_a_no_op(incident, oncall):
    update = first_update(incident)
    audits = AuditEntry.objects.count()

    deferred = deferred_by(
        lambda: services.edit_update_text(
            update=update,
            body="  We are investigating erors on the API.\n",
            body_ja="API のエラーを調査しています。",
            actor=oncall,
        )
    )

    assert deferred == []
    update.refresh_from_db()
    assert (update.edited_at, update.updated_at) == (None, POSTED)
    assert AuditEntry.objects.count() == audits


def test_long_texts_are_cut_in_the_audit_summary_the_original_keeping_more(incident, oncall):
    update = first_update(incident)
    services.edit_update_text(update=update, body="a" * 1000, actor=oncall)

    services.edit_update_text(update=update, body="b" * 1000, body_ja="c" * 1000, actor=oncall)

    last = AuditEntry.objects.filter(action="edit_update_text").latest("id")
    lines = last.summary.splitlines()
    assert lines[1:] == [
        f"body: “{'a' * 699}…” → “{'b' * 199}…”",
        f"body_ja: “API のエラーを調査しています。” → “{'c' * 199}…”",
    ]
    assert len(last.summary) < 2000


def scheduled_upgrade(component) -> Incident:
    """Tomorrow's maintenance of `component`, its first update with a typo ("datbase")."""
    now = timezone.now()
    return services.schedule_maintenance(
        name="Database upgrade",
        body="We will upgrade the datbase.",
        scheduled_for=now + timedelta(days=1),
        scheduled_until=now + timedelta(days=1, hours=2),
        components=[component],
    )


def test_a_maintenance_update_is_corrected_the_same_way(components, subscriber, oncall):
    maintenance = scheduled_upgrade(components["Database"])
    update = maintenance.updates.get()
    notifications = sent()

    services.edit_update_text(update=update, body="We will upgrade the database.", actor=oncall)

    update.refresh_from_db()
    assert update.body == "We will upgrade the database."
    assert update.edited_at is not None
    assert sent() == notifications
    maintenance.refresh_from_db()
    assert maintenance.status == "scheduled"


def test_a_post_mortem_timeline_keeps_the_text_it_was_written_with(components, oncall):
    incident = hand_built_incident(components)
    postmortem = services.start_postmortem(incident=incident, actor=oncall)
    identified = incident.updates.get(status="identified")
    before = list(postmortem.timeline_entries.values_list("text", flat=True))
    assert "**Identified** — A bad deploy." in before

    services.edit_update_text(update=identified, body="A bad deploy of the API.", actor=oncall)

    assert list(postmortem.timeline_entries.values_list("text", flat=True)) == before
