"""The storm guard, through the real path (publish → fan-out task → send task → SMTP sink) on
a frozen clock: at most N messages per subscriber per window; what waits for the window about
one incident leaves as one message that carries the updates it stands for; nothing is lost."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from incidents import services
from notify import tasks
from notify.models import Delivery, Notification

pytestmark = pytest.mark.django_db

# After the incident the fixtures declare (on the real clock), so that its first update stays
# the oldest.
START = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
WINDOW = timedelta(seconds=900)


@pytest.fixture
def storm_settings(settings):
    settings.NOROSHI_STORM_MAX_MESSAGES = 5
    settings.NOROSHI_STORM_WINDOW_SECONDS = WINDOW.total_seconds()


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def publish(django_capture_on_commit_callbacks):
    """Post an update with notifications on, as the console does: its fan-out and sends run
    when the transaction commits."""

    def post(incident, body: str, status: str = "identified"):
        with django_capture_on_commit_callbacks(execute=True):
            return services.post_update(incident=incident, status=status, body=body)

    return post


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def received(smtp, address: str) -> list[str]:
    return [text_of(m) for m in smtp.messages if m["To"] == address]


def delivery_of(update, address: str) -> Delivery:
    return Delivery.objects.get(notification__update=update, subscriber__address=address)


def storm(outage, publish, clock, count: int = 8) -> list:
    """`count` updates of one incident within a minute."""
    updates = []
    for n in range(1, count + 1):
        clock.move_to(START + timedelta(seconds=7 * n))
        updates.append(publish(outage, f"Update {n} of the storm."))
    return updates


def after_the_window(clock) -> None:
    """Move past the window and run the sweep, as beat does: held deliveries are due."""
    clock.move_to(START + WINDOW + timedelta(minutes=2))
    tasks.sweep()


def test_a_storm_sends_five_then_holds_the_rest(
    storm_settings, outage, subscriber_factory, smtp, publish, clock
):
    subscriber_factory("ann@example.com")
    updates = storm(outage, publish, clock)

    assert len(received(smtp, "ann@example.com")) == 5
    held = [delivery_of(update, "ann@example.com") for update in updates[5:]]
    assert [(d.state, d.attempts, d.enqueued_at) for d in held] == [("pending", 0, None)] * 3
    # Due when the first message of the window leaves it.
    first_sent = delivery_of(updates[0], "ann@example.com").finished_at
    assert {d.next_attempt_at for d in held} == {first_sent + WINDOW}
    assert all(d.error.startswith("held by the storm guard: 5 messages") for d in held)
    assert tasks.sweep()["requeued"] == 0  # not due yet: the sweep leaves them


def test_after_the_window_the_held_updates_leave_as_one_message(
    storm_settings, outage, subscriber_factory, smtp, publish, clock
):
    subscriber_factory("ann@example.com")
    updates = storm(outage, publish, clock)
    after_the_window(clock)

    texts = received(smtp, "ann@example.com")
    assert len(texts) == 6
    last = delivery_of(updates[7], "ann@example.com")
    assert last.state == "sent"
    for update in updates[5:7]:
        coalesced = delivery_of(update, "ann@example.com")
        assert coalesced.state == "coalesced"
        assert coalesced.error == f"coalesced into delivery {last.pk}, which carries this update"
    # The one message carries the updates it stands for, newest first.
    earlier = texts[-1].split("Earlier updates:")[1]
    assert earlier.index("Update 7 of the storm.") < earlier.index("Update 6 of the storm.")
    # No update's text is lost: each reached the subscriber in some message.
    everything = "\n".join(texts)
    assert all(f"Update {n} of the storm." in everything for n in range(1, 9))
    assert set(Delivery.objects.values_list("state", flat=True)) == {"sent", "coalesced"}


def test_other_subscribers_have_their_own_count(
    storm_settings, outage, subscriber_factory, smtp, publish, clock
):
    subscriber_factory("ann@example.com")
    storm(outage, publish, clock, count=5)
    subscriber_factory("ben@example.com")  # joins once Ann has had her five
    later = [publish(outage, f"Later update {n}.") for n in range(1, 4)]

    assert len(received(smtp, "ann@example.com")) == 5
    assert len(received(smtp, "ben@example.com")) == 3
    assert {delivery_of(u, "ben@example.com").state for u in later} == {"sent"}
    assert {delivery_of(u, "ann@example.com").state for u in later} == {"pending"}


def test_another_incident_is_not_folded_into_the_first(
    storm_settings, outage, subscriber_factory, smtp, publish, clock
):
    subscriber_factory("ann@example.com")
    updates = storm(outage, publish, clock, count=6)
    other = services.declare_incident(
        name="Slow logins", body="Investigating.", deliver_notifications=False
    )
    other_update = publish(other, "Logins are slow.")
    assert delivery_of(other_update, "ann@example.com").state == "pending"  # held too

    after_the_window(clock)
    assert delivery_of(updates[5], "ann@example.com").state == "sent"
    assert delivery_of(other_update, "ann@example.com").state == "sent"
    texts = received(smtp, "ann@example.com")
    assert len(texts) == 7
    slow_logins = [text for text in texts if "Logins are slow." in text]
    assert len(slow_logins) == 1
    assert "Update" not in slow_logins[0]  # nothing of the first incident in it


def test_every_delivery_ends_final_and_each_once(
    storm_settings, outage, subscriber_factory, smtp, publish, clock
):
    for address in ("ann@example.com", "ben@example.com"):
        subscriber_factory(address)
    storm(outage, publish, clock)
    after_the_window(clock)
    tasks.sweep()  # a second pass sends nothing more

    assert smtp.sink.per_recipient() == {"ann@example.com": 6, "ben@example.com": 6}
    states = Delivery.objects.values_list("state", flat=True)
    assert sorted(states) == ["coalesced"] * 4 + ["sent"] * 12
    keys = [m["X-Noroshi-Delivery"] for m in smtp.messages]
    assert len(keys) == len(set(keys))
    assert Notification.objects.count() == 8
