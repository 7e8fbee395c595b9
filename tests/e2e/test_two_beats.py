"""Two real beats at once (a second one started by mistake, or an old one not yet stopped
during a deploy) beside a real worker: every periodic task is sent twice as often, and none of
their work is done twice — a due maintenance starts once, a reminder goes once, the sweep
hands a lost delivery over once and settles a stuck one once. Each beat publishes its
heartbeat; a stopped beat's row says so, a killed beat's row goes stale."""

import ast
import os
import re
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from incidents import services
from incidents.choices import MaintenanceStatus
from notify import liveness
from notify.choices import ProcessRole
from notify.models import Delivery, Notification, ProcessHeartbeat, Subscriber
from tests.e2e.conftest import (
    WAIT,
    start_worker,
    stop_worker,
    wait_until_ready,
    worker_environment,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SWEEP_RESULT = re.compile(r"Task notify\.tasks\.sweep\[[^\]]+\] succeeded in [^:]+: (\{.*\})")


def start_beat(tmp_path: Path, queue: str, name: str) -> subprocess.Popen:
    env = worker_environment(tmp_path / f"{name}-var", queue, BEAT_ENV)
    (tmp_path / f"{name}-var").mkdir(exist_ok=True)
    command = [
        sys.executable, "-m", "celery", "-A", "statuspage", "beat", "--loglevel", "INFO",
        "--schedule", str(tmp_path / f"{name}-schedule"),
    ]  # fmt: skip
    with (tmp_path / f"{name}.log").open("ab") as log:
        return subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


BEAT_ENV = {
    "NOROSHI_MAINTENANCE_CHECK_SECONDS": "1",
    "NOROSHI_SWEEP_SECONDS": "1",
    "NOROSHI_REQUEUE_SECONDS": "3600",
    "NOROSHI_STUCK_SECONDS": "3600",
}


def sweeps(log: str) -> list[dict]:
    return [ast.literal_eval(found) for found in SWEEP_RESULT.findall(log)]


def wait(condition, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"waited {WAIT} s for {what}")


@pytest.fixture
def periodic_work(components):
    """A maintenance due to start, one whose reminder is due, a delivery whose queueing was
    lost, and one left `sending` by a worker process that stopped."""
    now = timezone.now()
    due = services.schedule_maintenance(
        name="Database upgrade",
        body="Planned.",
        scheduled_for=now - timedelta(seconds=1),
        scheduled_until=now + timedelta(hours=1),
        components=[components["Database"]],
        deliver_notifications=False,
    )
    reminded = services.schedule_maintenance(
        name="Network upgrade",
        body="Planned.",
        scheduled_for=now + timedelta(minutes=30),
        scheduled_until=now + timedelta(hours=1),
        components=[components["Database"]],
        remind_minutes_before=60,
        deliver_notifications=False,
    )
    incident = services.declare_incident(
        name="Elevated API errors", body="Investigating.", deliver_notifications=False
    )
    notification = Notification.objects.create(
        kind="incident_update",
        incident=incident,
        update=incident.updates.get(),
        channels=["email"],
        fanned_out_at=now,
    )
    lost, stuck = (
        Subscriber.objects.create(channel="email", address=address, confirmed_at=now)
        for address in ("lost@example.com", "stuck@example.com")
    )
    for follower in (lost, stuck):  # not the maintenance's component: told nothing of it
        follower.components.set([components["API"]])
    stopped = ProcessHeartbeat.objects.create(
        role=ProcessRole.WORKER, name="worker:gone:1:x", hostname="gone", pid=1, stopped_at=now
    )
    Delivery.objects.create(notification=notification, subscriber=lost, channel="email")
    Delivery.objects.create(
        notification=notification,
        subscriber=stuck,
        channel="email",
        state="sending",
        attempts=1,
        claimed_at=now,
        attempted_at=now,
        claimed_by=stopped,
    )
    return due, reminded


def test_two_beats_at_once_do_each_piece_of_periodic_work_once(
    tmp_path, sink, worker_queue, periodic_work
):
    due, reminded = periodic_work
    env = {
        **BEAT_ENV,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(sink.port),
    }
    worker = start_worker(tmp_path, worker_queue, env, 2, beat=False)
    beats = []
    try:
        wait_until_ready(worker)
        beats = [start_beat(tmp_path, worker_queue, name) for name in ("beat-1", "beat-2")]
        wait(lambda: liveness.running(ProcessRole.BEAT).count() == 2, "both beats beating")
        # Both beats send every task every second; wait for many rounds of each.
        wait(lambda: len(sweeps(worker.log())) >= 12, "twelve sweeps")
        wait(lambda: sink.sink.per_recipient() == {"lost@example.com": 1}, "the lost one sent")
        due.refresh_from_db()
        assert due.status == MaintenanceStatus.IN_PROGRESS
        wait(lambda: len(sweeps(worker.log())) >= 20, "eight sweeps more")

        beats[0].send_signal(signal.SIGTERM)
        assert beats[0].wait(WAIT) == 0
        os.killpg(beats[1].pid, signal.SIGKILL)
        beats[1].wait(WAIT)
        # Beat down: the stopped one says so at once, the killed one goes stale.
        wait(lambda: not liveness.running(ProcessRole.BEAT).exists(), "no beat running")
    finally:
        for beat in beats:
            if beat.poll() is None:
                os.killpg(beat.pid, signal.SIGKILL)
                beat.wait(WAIT)
        stop_worker(worker)

    log = worker.log()
    assert log.count("incidents.tasks.run_due_maintenance") > 10  # sent by both, many times
    assert [u.status for u in due.updates.order_by("id")] == [
        MaintenanceStatus.SCHEDULED,
        MaintenanceStatus.IN_PROGRESS,
    ]
    assert Notification.objects.filter(kind="maintenance_reminder").count() == 1
    assert Notification.objects.get(kind="maintenance_reminder").incident_id == reminded.pk
    results = sweeps(log)
    assert sum(result["requeued"] for result in results) == 1
    assert sum(result["unknown"] for result in results) == 1
    assert sink.sink.per_recipient() == {"lost@example.com": 1}
    assert dict(Delivery.objects.values_list("subscriber__address", "state")) == {
        "lost@example.com": "sent",
        "stuck@example.com": "unknown",
    }
    beat_rows = ProcessHeartbeat.objects.filter(role=ProcessRole.BEAT)
    assert beat_rows.count() == 2
    assert beat_rows.filter(stopped_at__isnull=False).count() == 1  # the one stopped cleanly
