"""Announcing writes the outbox row in the same transaction as the update, once."""

import pytest
from django.db import transaction

from incidents import services
from notify.models import Notification

pytestmark = pytest.mark.django_db


def test_a_published_update_writes_one_notification(outage, components):
    update = services.post_update(incident=outage, status="identified", body="Found it.")
    notification = Notification.objects.get()
    assert (notification.kind, notification.update, notification.incident) == (
        "incident_update",
        update,
        outage,
    )
    assert list(notification.components.all()) == [components["API"]]
    assert notification.channels == ["email", "webhook", "slack"]
    assert notification.fanned_out_at is None


def test_declaring_and_resolving_may_go_by_sms(components):
    incident = services.declare_incident(name="Down", body="Investigating.")
    services.post_update(incident=incident, status="identified", body="Found.")
    services.resolve_incident(incident=incident, body="Fixed.")
    channels = [n.channels for n in Notification.objects.order_by("id")]
    assert channels == [
        ["email", "webhook", "slack", "sms"],
        ["email", "webhook", "slack"],
        ["email", "webhook", "slack", "sms"],
    ]


def test_notify_off_and_backfilled_updates_announce_nothing(outage, components):
    services.post_update(
        incident=outage, status="identified", body="Quiet.", deliver_notifications=False
    )
    from datetime import timedelta

    from django.utils import timezone

    services.declare_incident(
        name="Old", body="Past.", started_at=timezone.now() - timedelta(days=3), backfilled=True
    )
    assert Notification.objects.count() == 0


def test_a_rolled_back_update_leaves_no_notification(outage):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.post_update(incident=outage, status="identified", body="Found it.")
        raise RuntimeError("abort")
    assert Notification.objects.count() == 0


def test_maintenance_steps_are_named(components):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    window = services.schedule_maintenance(
        name="Upgrade",
        body="Planned.",
        scheduled_for=now + timedelta(hours=1),
        scheduled_until=now + timedelta(hours=2),
        components=[components["Database"]],
    )
    services.start_maintenance(maintenance=window)
    services.post_maintenance_update(maintenance=window, status="in_progress", body="Halfway.")
    services.complete_maintenance(maintenance=window)
    kinds = list(Notification.objects.order_by("id").values_list("kind", "channels"))
    assert kinds == [
        ("maintenance_scheduled", ["email", "webhook", "slack"]),
        ("maintenance_started", ["email", "webhook", "slack", "sms"]),
        ("maintenance_update", ["email", "webhook", "slack"]),
        ("maintenance_completed", ["email", "webhook", "slack"]),
    ]


def test_recording_the_same_update_twice_writes_one_row(outage):
    from notify.outbox import record_update

    update = services.post_update(incident=outage, status="identified", body="Found it.")
    record_update(update)
    assert Notification.objects.count() == 1


def test_the_post_mortem_counts_the_subscribers_told(outage, subscriber_factory):
    from notify import selectors as notify_selectors
    from notify.models import Delivery
    from tests.notify.fan_out import fan_out

    for address in ("ann@example.com", "ben@example.com", "chie@example.jp"):
        subscriber_factory(address)
    for n in range(2):
        services.post_update(incident=outage, status="identified", body=f"Update {n}.")
    for notification in Notification.objects.all():
        fan_out(notification.pk)
    Delivery.objects.filter(subscriber__address="chie@example.jp").update(state="failed")
    Delivery.objects.exclude(subscriber__address="chie@example.jp").update(state="sent")
    assert notify_selectors.notified_count(outage) == 2  # distinct subscribers, sent only
