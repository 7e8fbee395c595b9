"""Liveness of the background processes, and a worker process's orderly stop.

Every worker process (each pool child) and beat writes its heartbeat row
(notify.models.ProcessHeartbeat) every NOROSHI_HEARTBEAT_SECONDS from a thread of its own, on a
database connection of its own, and marks it stopped on a clean stop. A row not written for
NOROSHI_HEARTBEAT_DEAD_SECONDS belongs to a dead process. At each beat a worker process also
runs `on_beat` (notify.worker: it declares such workers dead and takes over their
work), so a death is noticed in seconds, without beat and without an operator. Times are the
database's (NOW()), so hosts whose clocks differ agree on who is late.

A worker process asked to stop (SIGTERM or SIGINT) while it runs a task sets `stopping`: the
sending loop finishes the message in flight and gives the rest back (notify.delivery).
"""

import logging
import os
import signal
import socket
import threading
import uuid
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection, connections
from django.db.models.functions import Now

from notify.choices import DeliveryState
from notify.models import Delivery, ProcessHeartbeat

logger = logging.getLogger(__name__)


class StopFlag:
    """Set when this process was asked to stop: the sending loop gives back what it has not
    sent. Set from signal handlers, so it takes no lock: a threading.Event's set() holds a lock
    that a second signal arriving inside the first handler (SIGTERM from the process group,
    SIGINT from the main process's warm shutdown, at once) waits on forever."""

    def __init__(self) -> None:
        self._set = False

    def set(self) -> None:
        self._set = True

    def clear(self) -> None:
        self._set = False

    def is_set(self) -> bool:
        return self._set


stopping = StopFlag()
# Held while this process runs a sending batch: the heartbeat thread gives back the rows this
# process still holds as `sending` only when it runs none (a batch that failed leaves them).
sending = threading.RLock()


def dead_after() -> timedelta:
    return timedelta(seconds=settings.NOROSHI_HEARTBEAT_DEAD_SECONDS)


def running(role: str):
    """Heartbeat rows of processes of this role that are running: not stopped, and beating
    within NOROSHI_HEARTBEAT_DEAD_SECONDS (the index heartbeat_running)."""
    return ProcessHeartbeat.objects.filter(
        role=role, stopped_at__isnull=True, beat_at__gte=Now() - dead_after()
    )


def late(role: str):
    """Heartbeat rows of processes of this role not stopped but not beating any more."""
    return ProcessHeartbeat.objects.filter(
        role=role, stopped_at__isnull=True, beat_at__lt=Now() - dead_after()
    )


# Heartbeat rows are kept this long after their process's last beat, then deleted.
FORGET_AFTER = timedelta(days=1)


def forget_long_stopped() -> int:
    """Delete the heartbeat rows of processes that have not beaten for FORGET_AFTER (stopped,
    or dead and taken over long ago); return how many. A row still named by a delivery left
    `sending` is kept: the sweep settles that delivery through its claimant's row first."""
    claimants = Delivery.objects.filter(
        state=DeliveryState.SENDING, claimed_by__isnull=False
    ).values("claimed_by_id")
    old = ProcessHeartbeat.objects.filter(beat_at__lt=Now() - FORGET_AFTER)
    return old.exclude(pk__in=claimants).delete()[0]


class Heartbeat(threading.Thread):
    """The thread that writes this process's heartbeat row, then runs `on_beat(row id)`."""

    def __init__(self, role: str, on_beat: Callable[[int], None] | None = None):
        super().__init__(name=f"noroshi-heartbeat-{role}", daemon=True)
        self.role = role
        self.on_beat = on_beat
        self.row_id: int | None = None
        self.registered = threading.Event()
        self.waited = False
        self.halt = threading.Event()
        self.failing = False

    def run(self) -> None:
        try:
            while not self.halt.is_set():
                self.tick()
                self.halt.wait(settings.NOROSHI_HEARTBEAT_SECONDS)
            self.mark_stopped()
        finally:
            connections.close_all()  # this thread's own connection

    def tick(self) -> None:
        try:
            self.beat()
            if self.on_beat is not None and self.row_id is not None:
                self.on_beat(self.row_id)
            if self.failing:
                logger.warning("heartbeat of %s: written again", self.role)
            self.failing = False
        except DatabaseError as error:
            if not self.failing:
                logger.warning("heartbeat of %s not written: %s", self.role, error)
            self.failing = True
            connection.close()  # a fresh connection at the next beat
        except Exception:
            # A heartbeat thread that dies makes a live process look dead: log, keep beating.
            logger.exception("heartbeat of %s: unexpected error", self.role)

    def beat(self) -> None:
        if self.row_id is None:
            self.row_id = self.new_row()
            self.registered.set()
            return
        alive = ProcessHeartbeat.objects.filter(pk=self.row_id, stopped_at__isnull=True)
        if not alive.update(beat_at=Now()):
            # Taken for dead (no beat for too long) and its work taken over: the claims it
            # makes from now on are under a new row.
            logger.warning("%s was taken for dead; beating as a new process", self.row_id)
            self.row_id = self.new_row()

    def new_row(self) -> int:
        host, pid = socket.gethostname(), os.getpid()
        row = ProcessHeartbeat.objects.create(
            role=self.role,
            name=f"{self.role}:{host}:{pid}:{uuid.uuid4().hex[:8]}",
            hostname=host[:200],
            pid=pid,
            started_at=Now(),
            beat_at=Now(),
        )
        return row.pk

    def mark_stopped(self) -> None:
        if self.row_id is None:
            return
        try:
            ProcessHeartbeat.objects.filter(pk=self.row_id, stopped_at__isnull=True).update(
                stopped_at=Now()
            )
        except DatabaseError as error:
            logger.warning("heartbeat of %s: stop not written: %s", self.role, error)

    def stop(self, timeout: float = 10.0) -> None:
        self.halt.set()
        if self.is_alive():
            self.join(timeout)


_heartbeat: Heartbeat | None = None


def start(role: str, on_beat: Callable[[int], None] | None = None) -> Heartbeat:
    """Begin beating for this process (once; a second call returns the running one)."""
    global _heartbeat
    if _heartbeat is None or not _heartbeat.is_alive():
        _heartbeat = Heartbeat(role, on_beat)
        _heartbeat.start()
    return _heartbeat


def stop() -> None:
    """Stop beating and mark this process's row stopped (a clean stop)."""
    global _heartbeat
    if _heartbeat is not None:
        _heartbeat.stop()
        _heartbeat = None


def identity(wait: float = 5.0) -> int | None:
    """This process's heartbeat row id, the claimant of what it sends (None when it does not
    beat: a process other than a worker's, or a test). Waits for the first beat's row."""
    heartbeat = _heartbeat
    if heartbeat is None:
        return None
    if heartbeat.row_id is None and not heartbeat.waited:
        heartbeat.waited = True  # once: a heartbeat that cannot be written must not slow sends
        heartbeat.registered.wait(wait)
    return heartbeat.row_id


def hold(delivery_ids: list[int]) -> None:
    """Publish the delivery ids of the task this process begins (or [] when it ends): if it
    dies, the pending ones among them are queued again by the process that takes over."""
    row_id = identity()
    if row_id is not None:
        ProcessHeartbeat.objects.filter(pk=row_id).update(holding=delivery_ids)


# --- A worker process's orderly stop ---------------------------------------------------------
#
# A stop signal is for the whole worker: a terminal's Ctrl-C, honcho (`make run`) and systemd
# (KillMode=control-group) signal every process of it, and the main process passes its warm
# shutdown on to its pool processes (statuspage.celery). The main process stops the pool: it
# closes it, and each pool process exits (0) once its task is done. So a pool process never
# exits on a stop signal of its own accord: billiard would report that death as an ERROR
# ("Process 'ForkPoolWorker-1' exited with signal 15"), a job already handed to it would be
# lost, and one killed while it holds the pool's queue lock leaves the main process waiting
# for it forever. It ignores SIGTERM as Celery has it ignore SIGINT (billiard leaves an ignored
# signal ignored, as with its REMAP_SIGTERM), and from its first task on, either signal received
# while it runs one makes the sending loop finish the message in flight and give back the rest.

_tasks_running = 0
_pool_process = {"handles_signals": False, "installed": False}


def in_pool_process() -> None:
    """At the start of a pool process (worker_process_init, before billiard sets its own
    handlers): ignore SIGTERM; the process's pool stops it."""
    _pool_process["handles_signals"] = True
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def task_started() -> None:
    global _tasks_running
    if _pool_process["handles_signals"] and not _pool_process["installed"]:
        handle_stop_signals()
    _tasks_running += 1


def task_ended() -> None:
    """After a task. A process asked to stop is closed by its pool, which is stopping too."""
    global _tasks_running
    _tasks_running = max(0, _tasks_running - 1)


def on_stop_signal(signum, frame) -> None:
    """SIGTERM or SIGINT in a pool process: a task running finishes the message in flight and
    gives back the rest; an idle process waits for its pool to close it."""
    if _tasks_running:
        stopping.set()


def handle_stop_signals() -> None:
    """Stop in order on SIGTERM and SIGINT while a task runs (both are ignored otherwise)."""
    signal.signal(signal.SIGTERM, on_stop_signal)
    signal.signal(signal.SIGINT, on_stop_signal)
    _pool_process["installed"] = True
