"""A send refused for now (SMTP 4xx, an unreachable provider, a webhook's lost answer) is
retried however many tries it takes, until the delivery is older than the give-up age
(NOROSHI_RETRY_GIVE_UP_SECONDS, a day): only then does it fail, with the age and its last
error. A give-up is not the address's fault: it never suspends the subscriber."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents import services as incident_services
from notify import delivery
from notify.models import Delivery, Notification, Subscriber
from tests.notify.fan_out import fan_out
from tests.webhook_receiver import DROP

pytestmark = pytest.mark.django_db

LATER = "451 4.7.1 try later"
REFUSED = "SMTP 451 after RCPT TO: 4.7.1 try later"
DAY = timedelta(days=1)


def announce(outage, body: str = "A bad deploy.") -> list[int]:
    update = incident_services.post_update(incident=outage, status="identified", body=body)
    notification = Notification.objects.get(update=update)
    fan_out(notification.pk)
    return list(notification.deliveries.order_by("id").values_list("id", flat=True))


@pytest.fixture
def refused(outage, subscriber_factory, smtp):
    """One subscriber whose server answers 451 for now; the delivery of one announcement."""
    subscriber_factory("ann@example.com")
    smtp.sink.refuse["ann@example.com"] = LATER
    (delivery_id,) = announce(outage)
    return delivery_id


def aged(delivery_id: int, age: timedelta, *, attempts: int = 0) -> None:
    """The delivery was created `age` ago, has been tried `attempts` times and is due."""
    Delivery.objects.filter(pk=delivery_id).update(
        created_at=timezone.now() - age, attempts=attempts, next_attempt_at=None
    )


def test_a_refusal_after_many_tries_is_retried_after_the_longest_backoff(refused, smtp):
    aged(refused, timedelta(hours=5), attempts=40)
    before = timezone.now()
    assert delivery.deliver_batch([refused]) == {"retry": 1}
    row = Delivery.objects.get(pk=refused)
    after = timezone.now()
    assert (row.state, row.attempts, row.error, row.finished_at) == ("pending", 41, REFUSED, None)
    assert before + timedelta(minutes=30) <= row.next_attempt_at <= after + timedelta(minutes=30)
    assert smtp.messages == []


def test_a_refusal_just_younger_than_a_day_is_retried(refused, smtp):
    aged(refused, DAY - timedelta(minutes=1), attempts=50)
    assert delivery.deliver_batch([refused]) == {"retry": 1}
    assert Delivery.objects.get(pk=refused).state == "pending"


def test_a_refusal_older_than_a_day_gives_up_with_the_age_and_the_last_error(refused, smtp):
    aged(refused, DAY + timedelta(seconds=1), attempts=50)
    assert delivery.deliver_batch([refused]) == {"failed": 1}
    row = Delivery.objects.get(pk=refused)
    assert (row.state, row.error) == ("failed", f"gave up after 24 h: {REFUSED}")
    assert row.finished_at is not None
    assert smtp.messages == []


def test_the_age_counts_not_the_tries_a_first_refusal_past_the_age_gives_up(refused, smtp):
    """A delivery that waited (e.g. sending paused) past the age is tried; a refusal ends it."""
    aged(refused, DAY + timedelta(seconds=1), attempts=0)
    assert delivery.deliver_batch([refused]) == {"failed": 1}
    assert Delivery.objects.get(pk=refused).attempts == 1


def test_the_give_up_age_is_a_setting(refused, smtp, settings):
    settings.NOTIFY_RETRY_GIVE_UP_SECONDS = 90
    aged(refused, timedelta(seconds=80), attempts=3)
    assert delivery.deliver_batch([refused]) == {"retry": 1}
    aged(refused, timedelta(seconds=91), attempts=4)
    assert delivery.deliver_batch([refused]) == {"failed": 1}
    assert Delivery.objects.get(pk=refused).error == f"gave up after 90 s: {REFUSED}"


def test_give_ups_never_suspend_the_subscriber(outage, subscriber_factory, smtp):
    """Three updates given up in a row (a provider down for days): the address is not at
    fault, so its subscriber stays subscribed and gets the next update."""
    subscriber_factory("ann@example.com")
    smtp.sink.refuse["ann@example.com"] = LATER
    for n in range(3):
        (delivery_id,) = announce(outage, body=f"Update {n}.")
        aged(delivery_id, DAY * 2)
        assert delivery.deliver_batch([delivery_id]) == {"failed": 1}
    subscriber = Subscriber.objects.get()
    assert (subscriber.consecutive_failures, subscriber.suspended_at) == (0, None)

    del smtp.sink.refuse["ann@example.com"]
    assert delivery.deliver_batch(announce(outage, body="Fixed.")) == {"sent": 1}
    assert smtp.sink.per_recipient() == {"ann@example.com": 1}


def test_a_permanent_refusal_still_fails_at_once_and_counts_towards_suspension(
    outage, subscriber_factory, smtp
):
    subscriber_factory("nobody@example.com")
    smtp.sink.refuse["nobody@example.com"] = "550 5.1.1 no such user"
    (delivery_id,) = announce(outage)
    assert delivery.deliver_batch([delivery_id]) == {"failed": 1}
    row = Delivery.objects.get(pk=delivery_id)
    assert (row.attempts, row.error) == (1, "SMTP 550 after RCPT TO: 5.1.1 no such user")
    assert Subscriber.objects.get().consecutive_failures == 1


def test_a_webhook_whose_answer_is_lost_is_retried_until_the_age_then_given_up(
    outage, hook, webhook_receiver
):
    """Its outcome is unknown, but its key lets the receiver drop a repeat: retried like a
    refusal, and given up like one."""
    hook("/hooks/a")
    webhook_receiver.plan("/hooks/a", DROP, DROP)
    (delivery_id,) = announce(outage)
    aged(delivery_id, timedelta(hours=23), attempts=30)
    assert delivery.deliver_batch([delivery_id]) == {"retry": 1}
    aged(delivery_id, DAY, attempts=31)
    assert delivery.deliver_batch([delivery_id]) == {"failed": 1}
    row = Delivery.objects.get(pk=delivery_id)
    assert row.error == (
        "gave up after 24 h: 127.0.0.1 closed the connection without answering"
        " (RemoteDisconnected('Remote end closed connection without response'))."
    )
    assert len(webhook_receiver.received("/hooks/a")) == 2


def test_the_try_counter_stops_at_its_ceiling(refused):
    """A drill with a one-second backoff retries all day: the smallint never overflows."""
    aged(refused, timedelta(hours=1), attempts=32767)
    assert delivery.claim(refused)
    assert Delivery.objects.get(pk=refused).attempts == 32767
