"""Delivery through a real SMTP sink: each subscriber once, whatever is run twice; outcomes
recorded and final; the kill switch stops everything; stuck sends are never re-sent blindly."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents import services
from notify import delivery, lost_work
from notify import services as notify_services
from notify.models import Delivery, Notification, Subscriber
from tests.notify.fan_out import fan_out

pytestmark = pytest.mark.django_db


@pytest.fixture
def announced(outage, subscriber_factory):
    """Three confirmed subscribers and one fanned-out announcement; the delivery ids."""
    for address in ("ann@example.com", "ben@example.com", "chie@example.jp"):
        subscriber_factory(address)
    services.post_update(incident=outage, status="identified", body="A bad **deploy**.")
    notification = Notification.objects.get()
    fan_out(notification.pk)
    return list(Delivery.objects.order_by("id").values_list("id", flat=True))


def states():
    return sorted(Delivery.objects.values_list("subscriber__address", "state"))


def test_each_subscriber_gets_exactly_one_message(announced, smtp):
    assert delivery.deliver_batch(announced) == {"sent": 3}
    assert smtp.sink.per_recipient() == {
        "ann@example.com": 1,
        "ben@example.com": 1,
        "chie@example.jp": 1,
    }
    assert {state for _, state in states()} == {"sent"}
    message = smtp.messages[0]
    assert message["Subject"] == "[Noroshi] [Identified] Elevated API errors"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert (
        message["List-Unsubscribe"]
        .strip()
        .startswith("<http://127.0.0.1:8000/subscriptions/unsubscribe/")
    )


def test_a_batch_run_twice_sends_nothing_more(announced, smtp):
    delivery.deliver_batch(announced)
    assert delivery.deliver_batch(announced) == {"not_claimed": 3}
    assert delivery.deliver_batch(announced[::-1]) == {"not_claimed": 3}
    assert len(smtp.messages) == 3


def test_a_delivery_is_claimed_once(announced):
    first = announced[0]
    assert delivery.claim(first) is True
    assert delivery.claim(first) is False
    assert delivery.finish(first, state="sent") is True
    assert delivery.finish(first, state="failed") is False  # final stays final
    assert Delivery.objects.get(pk=first).state == "sent"


def test_the_kill_switch_stops_every_send_and_resume_continues(announced, smtp, oncall):
    notify_services.pause_sending(actor=oncall, reason="storm")
    assert delivery.deliver_batch(announced) == {"not_claimed": 3}
    assert smtp.messages == []
    assert {state for _, state in states()} == {"pending"}
    assert lost_work.find_lost_work().requeue == []  # nothing is handed out while paused

    notify_services.resume_sending(actor=oncall)
    requeue = lost_work.find_lost_work().requeue
    assert sorted(requeue) == announced
    assert delivery.deliver_batch(requeue) == {"sent": 3}
    assert len(smtp.messages) == 3


def test_a_switch_thrown_after_the_claim_gives_the_delivery_back(announced, smtp):
    first = announced[0]
    assert delivery.claim(first)
    notify_services.pause_sending(reason="now")
    assert delivery.deliver_claimed(first, delivery.Batch()) == "released"
    assert Delivery.objects.get(pk=first).state == "pending"
    assert smtp.messages == []


def test_a_refused_address_fails_for_good_and_is_suspended_after_three(
    outage, subscriber_factory, smtp
):
    bouncing = subscriber_factory("nobody@example.com")
    smtp.sink.refuse["nobody@example.com"] = "550 5.1.1 no such user"
    for n in range(3):
        update = services.post_update(incident=outage, status="identified", body=f"Update {n}.")
        notification = Notification.objects.get(update=update)
        fan_out(notification.pk)
        ids = list(notification.deliveries.values_list("id", flat=True))
        assert delivery.deliver_batch(ids) == {"failed": 1}
    bouncing.refresh_from_db()
    assert bouncing.suspended_at is not None
    assert "550" in bouncing.suspended_reason
    assert Delivery.objects.filter(state="failed").count() == 3


def test_a_temporary_refusal_is_retried_later(announced, smtp):
    smtp.sink.refuse["ann@example.com"] = "451 4.7.1 try later"
    assert delivery.deliver_batch(announced) == {"sent": 2, "retry": 1}
    retried = Delivery.objects.get(subscriber__address="ann@example.com")
    assert (retried.state, retried.attempts) == ("pending", 1)
    assert retried.next_attempt_at > timezone.now()
    assert delivery.deliver_batch([retried.pk]) == {"not_claimed": 1}  # not due yet


def test_a_stuck_email_send_becomes_unknown_never_resent(announced, smtp):
    first = announced[0]
    delivery.claim(first)  # the worker died right after this
    Delivery.objects.filter(pk=first).update(claimed_at=timezone.now() - timedelta(minutes=10))
    result = lost_work.find_lost_work()
    assert result.unknown == 1
    assert first not in result.requeue
    stuck = Delivery.objects.get(pk=first)
    assert stuck.state == "unknown"
    assert "may or may not have been delivered" in stuck.error
    delivery.deliver_batch(announced)
    assert len(smtp.messages) == 2


def test_a_notification_lost_before_its_fan_out_is_found_by_the_sweep(outage):
    services.post_update(incident=outage, status="identified", body="Found it.")
    notification = Notification.objects.get()
    Notification.objects.filter(pk=notification.pk).update(
        created_at=timezone.now() - timedelta(seconds=30)
    )
    assert lost_work.find_lost_work().fan_out == [notification.pk]


def test_an_unsubscribed_subscriber_is_skipped_at_send_time(announced, smtp):
    Subscriber.objects.filter(address="ben@example.com").update(unsubscribed_at=timezone.now())
    assert delivery.deliver_batch(announced) == {"sent": 2, "skipped": 1}
    assert "ben@example.com" not in smtp.sink.per_recipient()


def test_a_maintenance_reminder_reaches_subscribers(components, subscriber_factory, smtp):
    from datetime import timedelta as td

    import time_machine

    subscriber_factory("ann@example.com")
    start = timezone.now() + td(hours=2)
    window = services.schedule_maintenance(
        name="Database upgrade",
        body="Planned.",
        scheduled_for=start,
        scheduled_until=start + td(hours=1),
        components=[components["Database"]],
        remind_minutes_before=60,
        deliver_notifications=False,
    )
    with time_machine.travel(start - td(minutes=30), tick=False):
        assert services.send_due_reminders() == [window.public_id]
    reminder = Notification.objects.get(kind="maintenance_reminder")
    fan_out(reminder.pk)
    delivery.deliver_batch(list(reminder.deliveries.values_list("id", flat=True)))
    assert [m["Subject"] for m in smtp.messages] == [
        "[Noroshi] Reminder: Database upgrade starts soon"
    ]


@pytest.fixture
def crowd(outage, subscriber_factory):
    """40 confirmed subscribers (more than two claim groups) and their fanned-out deliveries."""
    for n in range(40):
        subscriber_factory(f"s{n:02d}@example.com")
    services.post_update(incident=outage, status="identified", body="A bad deploy.")
    fan_out(Notification.objects.get().pk)
    return list(Delivery.objects.order_by("id").values_list("id", flat=True))


def test_groups_of_claims_send_each_delivery_once(crowd, smtp):
    assert len(crowd) > 2 * delivery.group_size()
    assert delivery.deliver_batch(crowd + crowd[::-1]) == {"sent": 40, "not_claimed": 40}
    assert set(smtp.sink.per_recipient().values()) == {1}
    assert {state for _, state in states()} == {"sent"}


def throw_switch_at(message: int):
    """For the SMTP sink: throw the kill switch, from the sink's own connection, while the
    `message`-th message is being taken (its sender waits for the reply meanwhile)."""

    def on_message(count: int) -> None:
        from django.db import connection

        if count == message:
            notify_services.pause_sending(reason="mid-send")
        connection.close()

    return on_message


@pytest.mark.django_db(transaction=True)
def test_a_switch_thrown_mid_group_stops_the_next_message_and_resume_sends_the_rest(
    held_crowd, smtp
):
    """The switch is thrown by another connection while the fifth message is being taken:
    nothing more leaves but, at most, the one message begun before the pause notice reached
    the worker (on PostgreSQL it comes asynchronously, as a LISTEN notice: on a loaded machine
    it may land just after the next message's check); the rest of the claimed group is given
    back, and resume sends each of the others once. (With transaction=True, so that PostgreSQL
    runs the statement that records a `sent` and reads the switch in a transaction of its
    own.)"""

    crowd = held_crowd
    smtp.sink.on_message = throw_switch_at(5)
    outcome = delivery.deliver_batch(crowd)
    sent = len(smtp.messages)
    assert sent in (5, 6)
    assert outcome == {"sent": sent, "released": delivery.group_size() - sent, "not_claimed": 24}
    assert Delivery.objects.filter(state="sent").count() == sent
    assert Delivery.objects.filter(state="pending", attempts=0).count() == 40 - sent

    smtp.sink.on_message = None
    notify_services.resume_sending()  # its commit runs the sweep, which re-queues the rest
    delivery.deliver_batch(crowd)  # and a late copy of the first task adds nothing
    assert set(smtp.sink.per_recipient().values()) == {1}
    assert {state for _, state in states()} == {"sent"}
    assert len(smtp.messages) == 40


def test_a_group_held_too_long_gives_the_rest_back(crowd, smtp, settings):
    """A slow provider must not keep claimed rows long enough for the sweep to take them for
    a dead worker's: past half of NOTIFY_STUCK_SECONDS the rest of the group goes back."""
    settings.NOTIFY_STUCK_SECONDS = 0
    first = crowd[: delivery.group_size() + 4]
    assert delivery.deliver_batch(first) == {"sent": 2, "released": len(first) - 2}
    assert Delivery.objects.filter(state="sending").count() == 0
    settings.NOTIFY_STUCK_SECONDS = 300
    assert delivery.deliver_batch(crowd) == {"sent": 38, "not_claimed": 2}
    assert set(smtp.sink.per_recipient().values()) == {1}


@pytest.mark.django_db(transaction=True)
def test_with_groups_of_one_each_message_is_claimed_alone(held_crowd, smtp, settings):
    """NOROSHI_CLAIM_GROUP=1 (e.g. behind a pooler that drops LISTEN): every claim reads the
    switch, and nothing is ever claimed ahead of its send."""
    settings.NOTIFY_CLAIM_GROUP = 1

    smtp.sink.on_message = throw_switch_at(5)
    assert delivery.deliver_batch(held_crowd) == {"sent": 5, "not_claimed": 35}
    assert Delivery.objects.filter(state="pending", attempts=0).count() == 35
