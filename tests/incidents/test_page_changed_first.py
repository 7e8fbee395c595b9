"""Each write of public content invalidates the public page as its first on-commit step, robust
and independent of what else it defers (announcing, queueing): whatever becomes of the rest,
the page is marked changed, and no callback can stop the ones after it or fail the write."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from incidents import services
from incidents.changes import mark_page_changed
from notify.models import Subscriber
from tests.factories import UserFactory
from tests.incidents.postmortem_data import COMPLETE_SECTIONS, hand_built_incident, make_components

pytestmark = pytest.mark.django_db


@pytest.fixture
def listeners():
    """Subscribers who hear of updates and of component changes (webhooks), so that each
    write below also defers its announcements."""
    now = timezone.now()
    Subscriber.objects.create(channel="email", address="ann@example.com", confirmed_at=now)
    Subscriber.objects.create(
        channel="webhook", address="https://hooks.example.com/noroshi", confirmed_at=now
    )


def deferred_by(write) -> list[tuple]:
    """The (callback, robust) pairs `write` registers for the commit, in order."""
    with transaction.atomic():
        start = len(connection.run_on_commit)
        write()
        return [(func, robust) for _, func, robust in connection.run_on_commit[start:]]


def assert_page_first_and_all_robust(deferred: list[tuple]) -> None:
    assert len(deferred) > 1  # something besides the page mark was deferred
    assert deferred[0] == (mark_page_changed, True)
    assert {robust for _, robust in deferred} == {True}


def test_declaring_marks_the_page_first(listeners, components):
    deferred = deferred_by(
        lambda: services.declare_incident(
            name="API is down",
            body="Investigating.",
            component_statuses={components["API"]: "major_outage"},
        )
    )
    assert_page_first_and_all_robust(deferred)


def test_posting_and_resolving_mark_the_page_first(listeners, components):
    incident = services.declare_incident(name="API is down", body="Investigating.")
    for status in ("identified", "resolved"):
        deferred = deferred_by(
            lambda status=status: services.post_update(
                incident=incident,
                status=status,
                body="A bad deploy.",
                component_statuses={components["Web"]: "degraded_performance"},
            )
        )
        assert_page_first_and_all_robust(deferred)


def test_maintenance_marks_the_page_first(listeners, components):
    now = timezone.now()
    scheduled = {}

    def schedule():
        scheduled["window"] = services.schedule_maintenance(
            name="Database upgrade",
            body="The API may be slow.",
            scheduled_for=now + timedelta(hours=1),
            scheduled_until=now + timedelta(hours=2),
            components=[components["API"]],
        )

    assert_page_first_and_all_robust(deferred_by(schedule))
    assert_page_first_and_all_robust(
        deferred_by(lambda: services.start_maintenance(maintenance=scheduled["window"]))
    )


def test_a_component_status_change_marks_the_page_first(listeners, components):
    deferred = deferred_by(
        lambda: services.edit_component(component=components["API"], status="partial_outage")
    )
    assert_page_first_and_all_robust(deferred)


def test_publishing_a_post_mortem_marks_the_page_first(listeners, oncall):
    incident = hand_built_incident(make_components())
    postmortem = services.start_postmortem(incident=incident, actor=oncall)
    services.edit_postmortem(
        postmortem=postmortem, actor=oncall, notify_subscribers=True, **COMPLETE_SECTIONS
    )
    services.submit_for_review(postmortem=postmortem, actor=oncall)
    services.sign_off_review(postmortem=postmortem, reviewer=UserFactory(username="kenji"))

    deferred = deferred_by(lambda: services.publish_postmortem(postmortem=postmortem))

    assert_page_first_and_all_robust(deferred)
