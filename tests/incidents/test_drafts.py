"""Alerts' drafts: publishing announces the first update once, however often and however many
at once ask; discarding keeps the draft and releases its components; beat publishes a draft
still firing after its integration's minutes exactly once (run twice, or in two beats at
once); deliveries racing each other open one draft; a component is released only when nothing
holds it, even while another integration's alert is being recorded."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connections, transaction

from incidents import announcements, services, tasks
from incidents.models import AlertGroup, AuditEntry, Component, Incident, IncidentUpdate
from notify import outbox
from notify.models import Notification
from tests.alert_data import GROUP, am_alert, make_integration
from tests.incidents.test_idempotency import (
    ON_POSTGRESQL,
    WAIT,
    blocked_on_a_lock,
    run_together,
    wait_until,
)

pytestmark = pytest.mark.django_db(transaction=True)

T0 = datetime(2026, 12, 5, 9, 30, tzinfo=UTC)


def deliver(integration, *alerts, group_key: str = "", now: datetime = T0):
    """Alerts shaped as Alertmanager sends them (tests.alert_data), handed to the service."""
    incoming = [
        services.IncomingAlert(
            fingerprint=a["fingerprint"],
            status=a["status"],
            name=a["labels"]["alertname"],
            labels=a["labels"],
            annotations=a["annotations"],
            starts_at=datetime.fromisoformat(a["startsAt"]),
        )
        for a in alerts
    ]
    delivery = services.AlertDelivery(group_key=group_key or GROUP, alerts=incoming)
    return services.receive_alerts(integration=integration, delivery=delivery, now=now)


@pytest.fixture
def prometheus(components):
    integration, _ = make_integration(
        rules={("service", "api"): components["API"]}, auto_publish_minutes=5
    )
    return integration


@pytest.fixture
def draft(prometheus) -> Incident:
    return deliver(prometheus, am_alert(service="api")).incident


def status_of(name: str) -> str:
    return Component.objects.get(name=name).status


def test_publishing_announces_the_first_update_once(draft):
    assert Notification.objects.count() == 0

    assert services.publish_draft(incident=draft) is True
    assert services.publish_draft(incident=draft) is False

    notification = Notification.objects.get()
    assert notification.update == draft.updates.get()
    assert notification.channels == ["email", "webhook", "slack", "sms"]  # it declares
    assert list(notification.components.all()) == list(draft.components.all())
    assert draft.draft_state == "published" and draft.published_at is not None
    assert AuditEntry.objects.filter(action="publish", object_id=draft.public_id).count() == 1


def test_updates_posted_to_a_draft_are_announced_to_nobody(draft):
    later = services.post_update(incident=draft, status="identified", body="A bad deploy.")
    assert later.deliver_notifications is True
    assert Notification.objects.count() == 0

    services.publish_draft(incident=draft)

    assert [n.update for n in Notification.objects.all()] == [draft.updates.order_by("id")[0]]


def test_the_door_out_and_the_outbox_refuse_a_draft(draft):
    update = draft.updates.get()

    announcements.announce_update(update)
    assert outbox.record_update(update) is None

    assert Notification.objects.count() == 0


def test_discarding_keeps_the_draft_and_releases_its_components(draft, components):
    held = services.declare_incident(
        name="Database slow",
        body="Investigating.",
        component_statuses={components["Database"]: "degraded_performance"},
        deliver_notifications=False,
    )
    services.post_update(
        incident=draft,
        status="investigating",
        body="The database too.",
        component_statuses={components["Database"]: "major_outage"},
    )

    assert services.discard_draft(incident=draft) is True
    assert services.discard_draft(incident=draft) is False

    draft.refresh_from_db()
    assert draft.draft_state == "discarded"
    assert (status_of("API"), status_of("Database")) == ("operational", "major_outage")
    assert held.status == "investigating"  # people's incident holds the database
    assert draft.updates.order_by("id").last().body == "Discarded. Back to operational: API."
    assert Notification.objects.count() == 0
    assert AuditEntry.objects.filter(action="discard").count() == 1
    with pytest.raises(ValidationError) as refused:
        services.publish_draft(incident=draft)
    assert refused.value.messages == ["This draft was discarded; it cannot be published."]


def test_a_discarded_draft_takes_no_update_and_holds_nothing(draft, components):
    services.discard_draft(incident=draft)
    with pytest.raises(ValidationError) as refused:
        services.post_update(incident=draft, status="identified", body="Found it.")
    assert refused.value.messages == [
        "This draft was discarded: it is kept as it is, never public."
    ]
    outage = services.declare_incident(
        name="API down",
        body="Investigating.",
        component_statuses={components["API"]: "major_outage"},
        deliver_notifications=False,
    )

    services.resolve_incident(incident=outage, body="Fixed.", deliver_notifications=False)
    services.archive_component(component=components["API"])

    assert status_of("API") == "operational"
    assert Component.objects.get(name="API").archived_at is not None


def test_a_published_incident_is_not_discarded(draft):
    services.publish_draft(incident=draft)
    audited = AuditEntry.objects.count()

    with pytest.raises(ValidationError) as refused:
        services.discard_draft(incident=draft)

    assert refused.value.messages == [
        "This incident is public; resolve it instead of discarding it."
    ]
    assert AuditEntry.objects.count() == audited


def test_beat_publishes_a_draft_still_firing_after_its_minutes_once(settings, draft):
    entry = settings.CELERY_BEAT_SCHEDULE["publish-due-drafts"]
    assert entry["task"] == tasks.publish_due_drafts.name

    with time_machine.travel(T0 + timedelta(minutes=4, seconds=59), tick=False):
        assert tasks.publish_due_drafts.apply().get() == []
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        assert tasks.publish_due_drafts.apply().get() == [draft.public_id]
        assert tasks.publish_due_drafts.apply().get() == []

    draft.refresh_from_db()
    assert draft.draft_state == "published"
    assert Notification.objects.count() == 1
    audit = AuditEntry.objects.get(action="publish")
    assert (audit.actor, audit.summary) == (None, "published automatically: firing for 5 min")


def test_beat_leaves_drafts_whose_alerts_resolved_or_whose_integration_waits(
    prometheus, components
):
    flapping = am_alert(service="api")
    deliver(prometheus, flapping)
    deliver(prometheus, flapping | {"status": "resolved"}, now=T0 + timedelta(minutes=1))
    waiting, _ = make_integration(name="Grafana", rules={("service", "web"): components["Web"]})
    deliver(waiting, am_alert(service="web"))
    off, _ = make_integration(name="Old", auto_publish_minutes=1)
    deliver(off, am_alert(service="db"), group_key="old")
    services.edit_alert_integration(integration=off, enabled=False)

    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        assert services.publish_due_drafts() == []

    assert set(Incident.objects.values_list("draft_state", flat=True)) == {"draft"}


def test_firing_again_restarts_the_wait(prometheus):
    first = am_alert(service="api")
    deliver(prometheus, first)
    deliver(prometheus, first | {"status": "resolved"}, now=T0 + timedelta(minutes=3))
    deliver(
        prometheus,
        am_alert(service="api", starts_at="2026-12-05T09:34:00Z"),
        now=T0 + timedelta(minutes=4),
    )

    assert AlertGroup.objects.get().firing_since == T0 + timedelta(minutes=4)
    assert services.publish_due_drafts(now=T0 + timedelta(minutes=8)) == []
    assert len(services.publish_due_drafts(now=T0 + timedelta(minutes=9))) == 1


# --- at the same moment (PostgreSQL) ----------------------------------------------------------


def second_waits_for_first(first_work, second_work) -> tuple:
    """Run `first_work` in a transaction held open until `second_work`, started once the first
    is done, waits on one of its locks; then commit. Return both results."""
    done, results = threading.Event(), {}

    def first() -> None:
        try:
            with transaction.atomic():
                results["first"] = first_work()
                done.set()
                wait_until(blocked_on_a_lock, "the second to wait on the first")
        finally:
            connections.close_all()

    def second() -> None:
        try:
            assert done.wait(WAIT)
            results["second"] = second_work()
        finally:
            connections.close_all()

    run_together(first, second)
    return results["first"], results["second"]


@ON_POSTGRESQL
def test_two_publications_at_once_announce_once(draft):
    def publish():
        return services.publish_draft(incident=draft)

    assert second_waits_for_first(publish, publish) == (True, False)
    assert Notification.objects.count() == 1
    assert AuditEntry.objects.filter(action="publish").count() == 1


@ON_POSTGRESQL
def test_two_beats_at_once_publish_once(draft):
    def beat():
        return services.publish_due_drafts(now=T0 + timedelta(minutes=6))

    assert second_waits_for_first(beat, beat) == ([draft.public_id], [])
    assert Notification.objects.count() == 1


@ON_POSTGRESQL
def test_the_same_body_delivered_twice_at_once_opens_one_draft(prometheus):
    def delivery():
        return deliver(prometheus, am_alert(service="api")).new_states

    assert second_waits_for_first(delivery, delivery) == (1, 0)
    assert Incident.objects.count() == 1
    assert IncidentUpdate.objects.count() == 1


@ON_POSTGRESQL
def test_a_resolution_waits_for_another_integration_s_firing_alert_on_its_component(
    prometheus, components
):
    other, _ = make_integration(name="Blackbox", rules={("service", "api"): components["API"]})
    alert = am_alert(service="api")
    deliver(prometheus, alert)

    fired, resolved = second_waits_for_first(
        lambda: deliver(other, am_alert("ProbeFailed", service="api"), group_key="probe"),
        lambda: deliver(prometheus, alert | {"status": "resolved"}),
    )

    assert (fired.opened, resolved.new_states) == (True, 1)
    assert status_of("API") == "major_outage"  # the probe still fails
