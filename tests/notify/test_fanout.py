"""Fan-out: exactly the confirmed, active, in-scope subscribers; running it again adds nothing."""

import pytest
from django.utils import timezone

from incidents import services
from notify.models import Delivery, Notification
from tests.notify.fan_out import fan_out

pytestmark = pytest.mark.django_db


def test_fan_out_reaches_exactly_the_matching_subscribers(outage, components, subscriber_factory):
    other = services.declare_incident(name="Other", body="…", deliver_notifications=False)
    expected = {
        subscriber_factory("all@example.com").pk,
        subscriber_factory("api@example.com", components=[components["API"]]).pk,
        subscriber_factory("this@example.com", incident=outage).pk,
    }
    subscriber_factory("web@example.com", components=[components["Web"]])
    subscriber_factory("unconfirmed@example.com", confirmed=False)
    subscriber_factory("gone@example.com", unsubscribed_at=timezone.now())
    subscriber_factory("bouncing@example.com", suspended_at=timezone.now())
    subscriber_factory("other@example.com", incident=other)
    services.post_update(incident=outage, status="identified", body="Found it.")
    notification = Notification.objects.get()

    assert fan_out(notification.pk) == 3
    assert set(Delivery.objects.values_list("subscriber_id", flat=True)) == expected
    assert set(Delivery.objects.values_list("state", "channel")) == {("pending", "email")}
    notification.refresh_from_db()
    assert notification.fanned_out_at is not None
    assert notification.delivery_count == 3


def test_running_fan_out_again_adds_nothing(outage, subscriber_factory):
    for n in range(5):
        subscriber_factory(f"s{n}@example.com")
    services.post_update(incident=outage, status="identified", body="Found it.")
    notification = Notification.objects.get()
    assert fan_out(notification.pk) == 5
    fanned_out_at = Notification.objects.get().fanned_out_at
    assert fan_out(notification.pk) == 0
    assert Delivery.objects.count() == 5
    assert Notification.objects.get().fanned_out_at == fanned_out_at


def test_a_subscriber_confirmed_later_is_added_by_a_rerun(outage, subscriber_factory):
    late = subscriber_factory("late@example.com", confirmed=False)
    services.post_update(incident=outage, status="identified", body="Found it.")
    notification = Notification.objects.get()
    assert fan_out(notification.pk) == 0
    late.confirmed_at = timezone.now()
    late.save(update_fields=["confirmed_at"])
    assert fan_out(notification.pk) == 1


def test_rows_are_written_in_the_order_of_the_subscribers(outage, components, subscriber_factory):
    # Each index then grows at one end (see notify.fanout.fan_out_sql); the subscribers of the
    # components come before those of everything in the statement, whatever their ids.
    first = subscriber_factory("first@example.com").pk
    second = subscriber_factory("second@example.com", components=[components["API"]]).pk
    third = subscriber_factory("third@example.com").pk
    services.post_update(incident=outage, status="identified", body="Found it.")
    fan_out(Notification.objects.get().pk)
    assert list(Delivery.objects.order_by("id").values_list("subscriber_id", flat=True)) == [
        first,
        second,
        third,
    ]
