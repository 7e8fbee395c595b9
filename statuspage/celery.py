"""The Celery app: configured from Django settings (CELERY_*), tasks discovered per app.

Its processes publish their liveness (notify.liveness): each worker pool process and beat
beat from a thread of their own. A worker's pool processes stop in order: on SIGTERM or SIGINT
(a deploy, `systemctl stop`, Ctrl-C, honcho) each finishes the message in flight and gives
back the rest, and the main process tells them when it begins its own warm shutdown.
"""

import contextlib
import logging
import os
import signal
from pathlib import Path

from celery import Celery, signals
from celery.beat import PersistentScheduler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "statuspage.settings")

app = Celery("statuspage")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)


@signals.worker_init.connect
@signals.beat_init.connect
def lower_cpu_priority(**kwargs) -> None:
    """Worker (its main process, before its pool forks: the pool inherits it) and beat run at
    the niceness NOROSHI_WORKER_NICE, below the web's, however they are started. Never raises
    a priority that is already lower (an embedded beat, a `nice` given on the command line)."""
    from django.conf import settings

    wanted = settings.NOROSHI_WORKER_NICE
    if wanted <= 0:
        return
    lower_session_priority(wanted)
    schedule_as_batch()
    if os.getpriority(os.PRIO_PROCESS, 0) >= wanted:
        return
    try:
        os.setpriority(os.PRIO_PROCESS, 0, wanted)
    except OSError as error:  # a container that forbids it: run at the priority given
        logger.warning("CPU priority not lowered to nice %d: %s", wanted, error)
        return
    logger.info("CPU priority lowered to nice %d (NOROSHI_WORKER_NICE), below the web", wanted)


def schedule_as_batch() -> None:
    """Linux's SCHED_BATCH: the same share of the CPU as the niceness gives, but a worker that
    wakes (an SMTP reply, a commit) waits for the web's time slice to end instead of cutting
    into it. A worker wakes thousands of times a second while it sends; without this each wake
    costs the page a little latency, which under 1,000 connections adds up (bench/worstday).
    Lowering a policy needs no privilege; where there is none (not Linux), nothing changes."""
    if hasattr(os, "SCHED_BATCH"):
        with contextlib.suppress(OSError):
            os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))


AUTOGROUP = Path("/proc/self/autogroup")


def lower_session_priority(wanted: int) -> None:
    """Under the kernel's autogroup scheduling (on by default in many kernels), the CPU is
    shared equally between sessions, and a process's niceness only orders it within its own:
    a worker niced in a session of its own (honcho, systemd, a container, bench/worstday) would
    still take as much as the web's session. A worker or beat that leads its session lowers
    the session's niceness too; one started from a shell leaves the shell's session alone."""
    if os.getsid(0) != os.getpid():
        return
    try:
        current = int(AUTOGROUP.read_text().split()[-1])  # "/autogroup-25 nice 0"
        if current < wanted:
            AUTOGROUP.write_text(str(wanted))
    except (OSError, ValueError, IndexError):  # no autogroup here, or not allowed: nothing to do
        return


@signals.worker_process_init.connect
def begin_worker_process(**kwargs) -> None:
    """A pool process (or a solo worker) starts: beat, taking over dead workers' work."""
    from billiard.process import current_process

    from notify import liveness
    from notify.choices import ProcessRole
    from notify.worker import look_after

    if current_process().name != "MainProcess":  # a solo worker keeps Celery's own handlers
        liveness.in_pool_process()
    liveness.start(ProcessRole.WORKER, on_beat=look_after)


@signals.worker_process_shutdown.connect
def end_worker_process(**kwargs) -> None:
    from notify import liveness

    liveness.stop()


@signals.task_prerun.connect
def task_begins(task_id: str = "", task=None, **kwargs) -> None:
    from notify import liveness

    liveness.task_started()
    enter_task_source(task_id, getattr(task, "name", ""))


@signals.task_postrun.connect
def task_ends(task_id: str = "", **kwargs) -> None:
    from notify import liveness

    liveness.task_ended()
    leave_task_source(task_id)


# The audit source each running task entered (by task id), to leave once it ends: a task run
# eagerly inside a request (the tests) gives the request its own source back.
_task_sources: dict = {}


def enter_task_source(task_id: str, name: str) -> None:
    """The writes of a task come from "beat" when beat schedules it, else from "worker"."""
    from django.conf import settings

    from incidents import audit_context

    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    source = audit_context.BEAT if name in scheduled else audit_context.WORKER
    _task_sources[task_id] = audit_context.enter_source(audit_context.AuditSource(source=source))


def leave_task_source(task_id: str) -> None:
    from incidents import audit_context

    token = _task_sources.pop(task_id, None)
    if token is not None:
        audit_context.leave_source(token)


_main: dict = {}  # the main process's pool and stop flag, kept at worker_ready


@signals.worker_ready.connect
def remember_pool(sender=None, **kwargs) -> None:
    from notify import liveness

    _main.update(pool=getattr(sender, "pool", None), stopping=liveness.stopping)


@signals.worker_shutting_down.connect
def stop_sending(how: str = "", **kwargs) -> None:
    """The main process begins a warm shutdown (SIGTERM, a first Ctrl-C): tell the pool
    processes, which Celery would otherwise let run their whole task (a solo worker sends in
    this process). Runs in a signal handler: nothing here may raise or import."""
    if "stopping" in _main:
        _main["stopping"].set()
    if how != "Warm":
        return
    try:
        pids = list(_main["pool"].info["processes"])
    except (KeyError, AttributeError, TypeError):
        pids = []
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGINT)


class BeatScheduler(PersistentScheduler):
    """Celery's own scheduler, publishing beat's heartbeat (notify.liveness) while it runs, so
    that /readyz reports a beat that stopped."""

    def setup_schedule(self) -> None:
        super().setup_schedule()
        from notify import liveness
        from notify.choices import ProcessRole

        liveness.start(ProcessRole.BEAT)

    def close(self) -> None:
        super().close()
        from notify import liveness

        liveness.stop()
