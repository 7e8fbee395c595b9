"""Real workers, a real broker, a real SMTP sink: every confirmed subscriber gets exactly one
message per announcement — when fan-out and sends are queued twice, and when the worker is
killed with SIGKILL in the middle of sending and started again. Each test runs on the run's own
broker and again on RabbitMQ (tests.rabbitmq)."""

import os
import signal
import time

import pytest
from django.db import transaction
from django.utils import timezone

from incidents import services
from notify import services as notify_services
from notify.models import Delivery, Notification, Subscriber
from notify.tasks import fan_out, send_deliveries
from tests.e2e.conftest import settled, start_worker, stop_worker, wait_for, wait_until_ready
from tests.e2e.rabbitmq_broker import broker_of_the_run_or_rabbitmq  # noqa: F401 (autouse)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def worker_env(sink) -> dict[str, str]:
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(sink.port),
        "NOROSHI_SWEEP_SECONDS": "1",
        "NOROSHI_STUCK_SECONDS": "3",
        "NOROSHI_REQUEUE_SECONDS": "3",
        "NOROSHI_MAINTENANCE_CHECK_SECONDS": "60",
    }


def subscribers(count: int) -> list[str]:
    now = timezone.now()
    addresses = [f"s{n:05d}@example.com" for n in range(count)]
    Subscriber.objects.bulk_create(
        Subscriber(channel="email", address=a, confirmed_at=now) for a in addresses
    )
    Subscriber.objects.create(channel="email", address="unconfirmed@example.com")
    return addresses


def quiet_incident():
    """An incident declared without announcing it: the test's update is the announcement."""
    return services.declare_incident(
        name="Elevated API errors", body="Investigating.", deliver_notifications=False
    )


def assert_each_got_one(sink, addresses: list[str]) -> None:
    """Every subscriber got exactly one message, and every delivery row is `sent`."""
    received = sink.sink.per_recipient()
    assert set(received) == set(addresses)
    assert set(received.values()) == {1}
    assert set(Delivery.objects.values_list("state", flat=True)) == {"sent"}


def test_every_subscriber_gets_one_message_when_everything_runs_twice(tmp_path, sink, worker_queue):
    addresses = subscribers(300)
    incident = quiet_incident()
    worker = start_worker(tmp_path, worker_queue, worker_env(sink), concurrency=2)
    try:
        wait_until_ready(worker)
        services.post_update(incident=incident, status="identified", body="A bad deploy.")
        notification = Notification.objects.get()
        # The broker redelivers, a task retries, someone re-runs it: all of it, twice.
        fan_out.delay(notification.pk)
        wait_for(lambda: Delivery.objects.count() == 300, "the fan-out", worker)
        ids = list(Delivery.objects.values_list("id", flat=True))
        send_deliveries.delay(ids)
        send_deliveries.delay(ids[::-1])
        wait_for(settled, "every delivery to settle", worker)
        time.sleep(2)  # anything still in flight would land now
    finally:
        stop_worker(worker)
    assert_each_got_one(sink, addresses)


def test_a_worker_killed_mid_send_never_sends_twice(tmp_path, sink, worker_queue):
    addresses = subscribers(2000)
    incident = quiet_incident()
    worker = start_worker(tmp_path, worker_queue, worker_env(sink), concurrency=2)
    wait_until_ready(worker)
    services.post_update(incident=incident, status="identified", body="A bad deploy.")
    wait_for(lambda: len(sink.messages) >= 300, "sending to be under way", worker)
    os.killpg(worker.process.pid, signal.SIGKILL)  # the whole worker, mid-send
    worker.process.wait(10)
    sent_before_kill = len(sink.messages)

    worker = start_worker(tmp_path, worker_queue, worker_env(sink), concurrency=2)
    try:
        wait_until_ready(worker)
        wait_for(settled, "every delivery to settle after the restart", worker)
        time.sleep(2)
    finally:
        stop_worker(worker)
    received = sink.sink.per_recipient()
    states = dict(Delivery.objects.values_list("subscriber__address", "state"))
    assert max(received.values()) == 1, "someone got the same message twice"
    assert set(states.values()) <= {"sent", "unknown"}
    # Every subscriber either got the message or is marked for an operator to look at.
    assert {a for a in addresses if states[a] == "sent"} <= set(received)
    assert set(addresses) <= set(received) | {a for a, s in states.items() if s == "unknown"}
    assert sent_before_kill < 2000


def test_the_kill_switch_stops_sending_mid_fan_out_and_resume_finishes_once(
    tmp_path, sink, worker_queue
):
    """Thrown while two worker processes are sending: nothing leaves after it but what was
    already in flight (a message per process at most), nothing more for seconds after, and
    resume delivers the rest, each subscriber once."""
    addresses = subscribers(1500)
    incident = quiet_incident()
    worker = start_worker(tmp_path, worker_queue, worker_env(sink), concurrency=2)
    try:
        wait_until_ready(worker)
        services.post_update(incident=incident, status="identified", body="A bad deploy.")
        wait_for(lambda: len(sink.messages) >= 200, "sending to be under way", worker)
        thrown: dict[str, float] = {}
        with transaction.atomic():
            transaction.on_commit(lambda: thrown.setdefault("at", time.time()))
            notify_services.pause_sending(reason="storm")
        time.sleep(3)
        arrivals = list(sink.sink.arrivals)
        after = [at for at in arrivals if at > thrown["at"]]
        assert len(after) <= 2, f"{len(after)} messages left after the switch was thrown"
        assert all(at < thrown["at"] + 0.5 for at in after)
        assert len(arrivals) < 1500
        assert not Delivery.objects.filter(state="sending").exists()

        notify_services.resume_sending()
        wait_for(settled, "every delivery to settle after resume", worker)
        time.sleep(2)
    finally:
        stop_worker(worker)
    assert_each_got_one(sink, addresses)
