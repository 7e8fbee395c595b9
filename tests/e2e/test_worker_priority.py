"""Worker and beat run below the web's CPU priority (NOROSHI_WORKER_NICE), however they are
started: read from the real processes' niceness."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from tests.e2e.conftest import (
    start_worker,
    stop_worker,
    wait_until_ready,
    worker_environment,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def descendants(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found += [int(child), *descendants(int(child))]
    return found


def niceness(pid: int) -> int:
    return os.getpriority(os.PRIO_PROCESS, pid)


def test_a_worker_its_pool_and_its_beat_run_at_the_worker_niceness(tmp_path, worker_queue):
    worker = start_worker(tmp_path, worker_queue, {"NOROSHI_WORKER_NICE": "10"}, 2)
    try:
        wait_until_ready(worker)
        pids = [worker.process.pid, *descendants(worker.process.pid)]
        assert len(pids) == 4  # the main process, two pool processes, the embedded beat
        assert {pid: niceness(pid) for pid in pids} == dict.fromkeys(pids, 10)
        # Scheduled as batch work: a waking worker does not cut into the web's time slice.
        policies = {pid: os.sched_getscheduler(pid) for pid in pids}
        assert policies == dict.fromkeys(pids, os.SCHED_BATCH)
        # Under autogroup scheduling its session (it leads one) is lowered too: otherwise the
        # session would share the CPU equally with the web's, whatever each process's nice.
        autogroup = Path(f"/proc/{worker.process.pid}/autogroup")
        if autogroup.exists():
            assert autogroup.read_text().split()[-1] == "10"
    finally:
        stop_worker(worker)
    log = worker.log()
    assert log.count("CPU priority lowered to nice 10 (NOROSHI_WORKER_NICE)") == 1, log


@pytest.mark.parametrize(("setting", "expected"), [("12", 12), ("0", None)])
def test_beat_runs_at_the_worker_niceness_and_0_leaves_it(
    tmp_path, worker_queue, setting, expected
):
    env = worker_environment(tmp_path, worker_queue, {"NOROSHI_WORKER_NICE": setting})
    log_path = tmp_path / "beat.log"
    command = [
        sys.executable, "-m", "celery", "-A", "statuspage", "beat", "--loglevel", "INFO",
        "--schedule", str(tmp_path / "celerybeat-schedule"),
    ]  # fmt: skip
    with log_path.open("wb") as log:
        beat = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        # Celery logs "beat: Starting..." just before beat_init, where the niceness is set:
        # wait for what that handler logs (or, when it lowers nothing, for beat's first tick).
        ready = "beat: Starting..." if expected is None else f"lowered to nice {expected}"
        deadline = time.monotonic() + 30
        while ready not in log_path.read_text() and time.monotonic() < deadline:
            assert beat.poll() is None, log_path.read_text()
            time.sleep(0.1)
        assert niceness(beat.pid) == (niceness(0) if expected is None else expected)
    finally:
        beat.terminate()
        beat.wait(10)
