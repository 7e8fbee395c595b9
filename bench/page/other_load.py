"""How much CPU processes other than the benchmark's used while it measured.

A benchmark on a shared machine is only as good as the quiet around it: each load reports the
CPU that everything else took meanwhile (in CPUs, e.g. 0.4 of 2), so that a low figure caused
by a neighbour is seen as such. It is the machine's user and system time (/proc/stat) less that
of the benchmark's own processes: the runner, the children it waited for (wrk) and the sessions
it started (nginx, gunicorn). Interrupt handling is left out on both sides.
"""

import os
import resource
import time
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def machine_seconds() -> float:
    """User, nice and system time of the whole machine, in CPU seconds."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()
    user, nice, system = (int(value) for value in fields[1:4])
    return (user + nice + system) / TICKS


def process_stats():
    """For each live process, the fields of /proc/<pid>/stat after its name (state, ppid,
    pgrp, session, …, utime at 11, stime at 12)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue
        yield raw[raw.rindex(")") + 2 :].split()


def session_seconds(sessions: set[int]) -> float:
    """User and system time of the live processes in `sessions`, in CPU seconds."""
    ticks = 0
    for fields in process_stats():
        if int(fields[3]) in sessions:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / TICKS


def own_seconds(sessions: set[int]) -> float:
    me, children = os.times(), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.user + me.system + children.ru_utime + children.ru_stime + session_seconds(sessions)


class OtherLoad:
    """Start with .begin(), read the CPUs others used since then with .end()."""

    def __init__(self, own_sessions: set[int]) -> None:
        self.own_sessions = own_sessions
        self.started = 0.0
        self.machine = 0.0
        self.own = 0.0

    def begin(self) -> None:
        self.machine, self.own = machine_seconds(), own_seconds(self.own_sessions)
        self.started = time.monotonic()

    def end(self) -> float:
        elapsed = time.monotonic() - self.started
        machine = machine_seconds() - self.machine
        own = own_seconds(self.own_sessions) - self.own
        return max(0.0, machine - own) / elapsed if elapsed > 0 else 0.0
