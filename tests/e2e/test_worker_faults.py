"""A worker killed or stopped in the middle of a fan-out, on real processes: a worker killed
with SIGKILL is taken over by another within seconds, with no operator and no beat (the sweep
is set to an hour here); a worker stopped with SIGTERM finishes the message in flight and gives
the rest back. Every subscriber is told once.

The SMTP sink holds each message a moment before it answers, so that sending is still under way
when the fault comes."""

import os
import re
import signal
import sys
import time

import pytest
from django.utils import timezone

from incidents import services
from notify import liveness
from notify.choices import ProcessRole
from notify.models import Delivery, ProcessHeartbeat, Subscriber
from tests.e2e.conftest import WAIT, settled, start_worker, stop_worker, wait_until_ready

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SUBSCRIBERS = 2000
KILLED_CONCURRENCY = 4


def worker_env(sink) -> dict[str, str]:
    hour = "3600"  # nothing but the takeover may bring the work back
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(sink.port),
        "NOROSHI_SWEEP_SECONDS": hour,
        "NOROSHI_STUCK_SECONDS": hour,
        "NOROSHI_REQUEUE_SECONDS": hour,
        "NOROSHI_MAINTENANCE_CHECK_SECONDS": hour,
    }


def subscribers(count: int) -> list[str]:
    now = timezone.now()
    addresses = [f"s{n:05d}@example.com" for n in range(count)]
    Subscriber.objects.bulk_create(
        Subscriber(channel="email", address=a, confirmed_at=now) for a in addresses
    )
    return addresses


def slow_sink(sink, seconds: float = 0.01) -> None:
    sink.sink.on_message = lambda count: time.sleep(seconds)


def publish() -> None:
    incident = services.declare_incident(
        name="Elevated API errors", body="Investigating.", deliver_notifications=False
    )
    services.post_update(incident=incident, status="identified", body="A bad deploy.")


def wait(condition, what: str, *workers) -> float:
    """Wait on state, never on a time: return when it held (time.monotonic())."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if condition():
            return time.monotonic()
        for worker in workers:
            worker.ensure_alive()
        time.sleep(0.1)
    pytest.fail(f"waited {WAIT} s for {what}")


def pool_rows(worker) -> list[ProcessHeartbeat]:
    """The heartbeat rows of a worker's pool processes (its process group)."""
    rows = ProcessHeartbeat.objects.filter(role=ProcessRole.WORKER)
    return [row for row in rows if in_group(row.pid, worker.process.pid)]


def in_group(pid: int, group: int) -> bool:
    try:
        return os.getpgid(pid) == group
    except ProcessLookupError:
        return False


def report(line: str) -> None:
    sys.stderr.write(f"\n[measured] {line}\n")


def test_a_killed_worker_is_taken_over_by_another_and_each_subscriber_is_told_once(
    tmp_path, sink, worker_queue
):
    addresses = subscribers(SUBSCRIBERS)
    slow_sink(sink)
    env = worker_env(sink)
    # No beat at all: the takeover is the workers' own doing.
    doomed = start_worker(
        tmp_path, worker_queue, env, KILLED_CONCURRENCY, name="doomed", beat=False
    )
    other = start_worker(tmp_path, worker_queue, env, 2, name="other", beat=False)
    try:
        wait_until_ready(doomed)
        wait_until_ready(other)
        publish()
        wait(lambda: len(sink.messages) >= 300, "sending to be under way", doomed, other)
        # Killed while its pool processes hold work: their rows are what is taken over.
        wait(lambda: any(row.holding for row in pool_rows(doomed)), "work held", doomed)
        doomed_rows = {row.pk for row in pool_rows(doomed)}
        os.killpg(doomed.process.pid, signal.SIGKILL)
        killed_at = time.monotonic()
        doomed.process.wait(10)
        taken_at = wait(
            lambda: (
                not ProcessHeartbeat.objects.filter(
                    pk__in=doomed_rows, stopped_at__isnull=True
                ).exists()
            ),
            "the killed worker's processes to be taken over",
            other,
        )
        told_at = wait(settled, "every delivery to settle", other)
        time.sleep(1)  # anything still in flight would land now
    finally:
        stop_worker(other)
        stop_worker(doomed)
    received = sink.sink.per_recipient()
    states = dict(Delivery.objects.values_list("subscriber__address", "state"))
    unknown = {address for address, state in states.items() if state == "unknown"}
    report(
        f"kill -> taken over {taken_at - killed_at:.1f} s; kill -> every subscriber told "
        f"{told_at - killed_at:.1f} s; unknown {len(unknown)} ({len(unknown & set(received))} "
        f"of them delivered)"
    )
    assert max(received.values()) == 1, "someone got the same message twice"
    assert set(states.values()) <= {"sent", "unknown"}
    # At most the one message each killed pool process was handing over.
    assert len(unknown) <= KILLED_CONCURRENCY
    assert (
        set(Delivery.objects.filter(state="unknown").values_list("claimed_by_id", flat=True))
        <= doomed_rows
    )
    # Everyone else got it, with no operator and no sweep.
    assert set(addresses) - unknown <= set(received)
    assert "stopped beating: taken over by" in other.log()
    assert "Task notify.tasks.sweep[" not in doomed.log() + other.log()


ERROR_LINE = re.compile(r"^\[[^\]]*(ERROR|CRITICAL)", re.MULTILINE)


@pytest.mark.parametrize("signalled", ["main process", "process group"])
def test_a_worker_stopped_mid_send_finishes_in_flight_and_gives_the_rest_back(
    tmp_path, sink, worker_queue, signalled
):
    """SIGTERM to the main process (systemd with KillMode=mixed, `kill`), or to every process
    of the worker at once (systemd's default, honcho on Ctrl-C of `make run`)."""
    addresses = subscribers(SUBSCRIBERS)
    slow_sink(sink)
    env = worker_env(sink)
    stopped = start_worker(tmp_path, worker_queue, env, KILLED_CONCURRENCY, name="stopped")
    try:
        wait_until_ready(stopped)
        publish()
        wait(lambda: len(sink.messages) >= 300, "sending to be under way", stopped)
        if signalled == "process group":
            os.killpg(stopped.process.pid, signal.SIGTERM)
        else:
            stopped.process.send_signal(signal.SIGTERM)
        assert stopped.exit_code(WAIT) == 0
        given_back = Delivery.objects.filter(state="pending").count()
        assert 0 < given_back < SUBSCRIBERS
        assert not Delivery.objects.filter(state__in=("sending", "unknown")).exists()

        restarted = start_worker(tmp_path, worker_queue, env, 2, name="restarted", beat=False)
        try:
            wait_until_ready(restarted)
            wait(settled, "every delivery to settle after the restart", restarted)
            time.sleep(1)
        finally:
            stop_worker(restarted)
    finally:
        stop_worker(stopped)
    log = stopped.log()
    assert ERROR_LINE.findall(log) == [], log
    assert "given_back" in log
    received = sink.sink.per_recipient()
    assert set(received) == set(addresses)
    assert set(received.values()) == {1}
    assert set(Delivery.objects.values_list("state", flat=True)) == {"sent"}
    assert not liveness.running(ProcessRole.WORKER).exists()  # each stop was written
