"""With the notifications present: publishing a post-mortem with "notify subscribers" reaches
each confirmed subscriber once, however often it is published again."""

import pytest
from django.utils import timezone

from incidents import services
from notify.models import Delivery, Notification, Subscriber
from tests.factories import UserFactory
from tests.incidents.postmortem_data import COMPLETE_SECTIONS, hand_built_incident, make_components

pytestmark = pytest.mark.django_db


def subscribe(address: str, *, confirmed: bool = True) -> Subscriber:
    return Subscriber.objects.create(
        channel="email", address=address, confirmed_at=timezone.now() if confirmed else None
    )


def review(postmortem, n: int) -> None:
    services.submit_for_review(postmortem=postmortem)
    services.sign_off_review(postmortem=postmortem, reviewer=UserFactory(username=f"r{n}"))


def test_a_published_post_mortem_is_announced_once_per_subscriber(
    mailoutbox, django_capture_on_commit_callbacks
):
    incident = hand_built_incident(make_components())
    for address in ("a@example.com", "b@example.com", "c@example.com"):
        subscribe(address)
    subscribe("unconfirmed@example.com", confirmed=False)
    postmortem = services.start_postmortem(incident=incident)
    services.edit_postmortem(postmortem=postmortem, notify_subscribers=True, **COMPLETE_SECTIONS)
    review(postmortem, 1)

    with django_capture_on_commit_callbacks(execute=True):
        services.publish_postmortem(postmortem=postmortem)
    with django_capture_on_commit_callbacks(execute=True):
        services.unpublish_postmortem(postmortem=postmortem)
        review(postmortem, 2)
        services.publish_postmortem(postmortem=postmortem)

    notification = Notification.objects.get(kind="postmortem_published")
    assert notification.incident == incident
    assert Delivery.objects.filter(notification=notification).count() == 3
    announced = [m for m in mailoutbox if "Post-mortem: API errors" in m.subject]
    assert sorted(address for m in announced for address in m.to) == [
        "a@example.com",
        "b@example.com",
        "c@example.com",
    ]


def test_without_the_flag_nobody_is_told(mailoutbox, django_capture_on_commit_callbacks):
    incident = hand_built_incident(make_components())
    subscribe("a@example.com")
    postmortem = services.start_postmortem(incident=incident)
    services.edit_postmortem(postmortem=postmortem, **COMPLETE_SECTIONS)
    review(postmortem, 1)

    with django_capture_on_commit_callbacks(execute=True):
        services.publish_postmortem(postmortem=postmortem)

    assert not Notification.objects.filter(kind="postmortem_published").exists()
    assert [m for m in mailoutbox if "Post-mortem" in m.subject] == []
