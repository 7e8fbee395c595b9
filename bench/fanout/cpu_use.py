"""The CPU that processes other than the benchmark's used while it measured (in CPUs, e.g. 0.4
of 2): the machine's user and system time less the benchmark's own.

Its own, here: this process, the sessions it started (worker with its pool and beat, sink),
the PostgreSQL backends connected to its database, PostgreSQL's own writers (checkpointer,
background writer, WAL writer, autovacuum: they write out the benchmark's rows), and the Redis
server (shared with others, but busy with the benchmark's broker while it runs).
bench/page/other_load.py reads the machine and the sessions.
"""

import time
from pathlib import Path

from stack import page_module

other_load = page_module("other_load")
TICKS, machine_seconds, own_seconds = (
    other_load.TICKS,
    other_load.machine_seconds,
    other_load.own_seconds,
)


POSTGRES_WRITERS = ("checkpointer", "background writer", "walwriter", "autovacuum")


def helper_seconds(database: str) -> float:
    """CPU seconds of the PostgreSQL backends of `database`, of PostgreSQL's writers, and of
    redis-server."""
    ticks = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            raw = (entry / "stat").read_text()
        except OSError:
            continue
        ours = command.startswith("redis-server") or (
            command.startswith("postgres: ")
            and (f" {database} " in command or any(w in command for w in POSTGRES_WRITERS))
        )
        if ours:
            fields = raw[raw.rindex(")") + 2 :].split()
            ticks += int(fields[11]) + int(fields[12])
    return ticks / TICKS


class OtherCpu:
    """Start with .begin(), read the CPUs others used since then with .end().

    A backend that ends between the two readings takes its time with it; the benchmark's
    connections live through the whole measurement, so little is missed."""

    def __init__(self, sessions: set[int], database: str) -> None:
        self.sessions, self.database = sessions, database
        self.started = self.machine = self.own = 0.0
        self.own_used = 0.0  # CPU seconds of the benchmark's own processes, at end()

    def own_now(self) -> float:
        return own_seconds(self.sessions) + helper_seconds(self.database)

    def begin(self) -> None:
        self.machine, self.own, self.started = machine_seconds(), self.own_now(), time.monotonic()

    def end(self) -> float:
        elapsed = time.monotonic() - self.started
        machine = machine_seconds() - self.machine
        own = self.own_used = self.own_now() - self.own
        return max(0.0, machine - own) / elapsed if elapsed > 0 else 0.0
