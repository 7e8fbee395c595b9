"""An exact repeat of what was just posted is refused (incidents.services.repeats): a form sent
again from a page the browser fetched anew, or a script retrying without a key, posts once.
Anything that differs — the name, the text, the status, or ten minutes gone by — goes through."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from incidents import services
from incidents.models import Incident, IncidentUpdate
from incidents.services.repeats import REPEAT_WINDOW
from notify.models import Notification

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def declare(**extra):
    return services.declare_incident(
        name="API is down", body="We are investigating errors on the API.", **extra
    )


def written() -> tuple[int, int, int]:
    return Incident.objects.count(), IncidentUpdate.objects.count(), Notification.objects.count()


def test_declaring_the_same_incident_again_at_once_is_refused_and_writes_nothing():
    with time_machine.travel(NOON, tick=False):
        declare()
    with (
        time_machine.travel(NOON + timedelta(seconds=40), tick=False),
        pytest.raises(ValidationError) as refused,
    ):
        declare()

    assert refused.value.message_dict == {
        "name": [
            "“API is down” was declared 40 s ago with this same text; it was not declared "
            "again. To declare another, give it another name or text."
        ]
    }
    assert written() == (1, 1, 1)


def test_the_same_declaration_after_the_window_is_a_new_incident():
    with time_machine.travel(NOON, tick=False):
        declare()
    with time_machine.travel(NOON + REPEAT_WINDOW, tick=False):
        declare()

    assert written() == (2, 2, 2)


@pytest.mark.parametrize(
    "change", [{"name": "Web is down"}, {"body": "We are investigating errors on the web."}]
)
def test_a_declaration_that_differs_goes_through(change):
    declare()
    services.declare_incident(
        **{"name": "API is down", "body": "We are investigating errors on the API."} | change
    )

    assert written() == (2, 2, 2)


def test_posting_the_same_update_again_at_once_is_refused_and_writes_nothing():
    with time_machine.travel(NOON, tick=False):
        incident = declare()
        services.post_update(incident=incident, status="identified", body="A bad deploy.")
    with (
        time_machine.travel(NOON + timedelta(minutes=3), tick=False),
        pytest.raises(ValidationError) as refused,
    ):
        services.post_update(incident=incident, status="identified", body="A bad deploy.")

    assert refused.value.message_dict == {
        "body": [
            "This update was posted 3 min ago; it was not posted again. Change its status or "
            "text to post another."
        ]
    }
    assert written() == (1, 2, 2)


def test_an_update_with_another_status_or_text_or_after_the_window_goes_through():
    with time_machine.travel(NOON, tick=False):
        incident = declare()
        services.post_update(incident=incident, status="identified", body="A bad deploy.")
        services.post_update(incident=incident, status="monitoring", body="A bad deploy.")
        services.post_update(incident=incident, status="monitoring", body="Errors are down.")
    with time_machine.travel(NOON + REPEAT_WINDOW, tick=False):
        services.post_update(incident=incident, status="monitoring", body="Errors are down.")

    assert list(incident.updates.order_by("id").values_list("status", "body")) == [
        ("investigating", "We are investigating errors on the API."),
        ("identified", "A bad deploy."),
        ("monitoring", "A bad deploy."),
        ("monitoring", "Errors are down."),
        ("monitoring", "Errors are down."),
    ]


def test_only_the_latest_update_counts_as_the_one_repeated():
    """Saying again what was said two updates ago is news (e.g. back to identified)."""
    incident = declare()
    services.post_update(incident=incident, status="identified", body="A bad deploy.")
    services.post_update(incident=incident, status="monitoring", body="Watching.")

    services.post_update(incident=incident, status="identified", body="A bad deploy.")

    assert incident.updates.count() == 4


def test_scheduling_the_same_maintenance_again_at_once_is_refused():
    window = {
        "name": "Database upgrade",
        "body": "We will upgrade the database.",
        "scheduled_for": NOON + timedelta(days=1),
        "scheduled_until": NOON + timedelta(days=1, hours=2),
    }
    with time_machine.travel(NOON, tick=False):
        maintenance = services.schedule_maintenance(**window)
        with pytest.raises(ValidationError) as refused:
            services.schedule_maintenance(**window)
        services.post_maintenance_update(
            maintenance=maintenance, status="scheduled", body="Moved to the evening."
        )
        with pytest.raises(ValidationError) as repeated:
            services.post_maintenance_update(
                maintenance=maintenance, status="scheduled", body="Moved to the evening."
            )

    assert refused.value.message_dict == {
        "name": [
            "“Database upgrade” was scheduled 0 s ago with this same text; it was not "
            "scheduled again. To schedule another, give it another name or text."
        ]
    }
    assert repeated.value.message_dict == {
        "body": [
            "This update was posted 0 s ago; it was not posted again. Change its status or "
            "text to post another."
        ]
    }
    assert (Incident.objects.count(), maintenance.updates.count()) == (1, 2)
