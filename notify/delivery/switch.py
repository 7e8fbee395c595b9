"""The kill switch as a sending worker watches it between the messages of a claimed group.

Each claim reads the switch in its own statement. Between claims, on PostgreSQL, the worker's
connection LISTENs on a channel that pause_sending NOTIFYs when its transaction commits, and
before each message it polls the socket for that notice: no round trip, so the switch costs
nothing per message and still stops the next one within a moment of the throw. The LISTEN is
taken before the batch's first claim, so a throw either commits before that claim (which then
reads it) or notifies this connection. Elsewhere (SQLite, the embedded default) each message
reads the row: a local read.
"""

import contextlib

from django.db import DatabaseError, connection

from notify.delivery.claims import sending_paused

CHANNEL = "noroshi_sending_paused"


def listens() -> bool:
    return connection.vendor == "postgresql" and not connection.in_atomic_block


def announce_pause() -> None:
    """Tell every watching worker, when the caller's transaction commits, that sending is
    paused (PostgreSQL; a no-op elsewhere)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"NOTIFY {CHANNEL}")


class SwitchWatch:
    """Whether the kill switch was thrown since the batch began (sticky once it was)."""

    def __init__(self) -> None:
        self.thrown = False
        self.listening = listens()
        if self.listening:
            with connection.cursor() as cursor:
                cursor.execute(f"LISTEN {CHANNEL}")

    def paused(self) -> bool:
        if not self.thrown:
            self.thrown = self.notified() if self.listening else sending_paused()
        return self.thrown

    def notified(self) -> bool:
        """Whether a pause notice is waiting on the connection (notices that came in with
        other statements' results are kept by psycopg until read here)."""
        pg = connection.connection
        return any(notice.channel == CHANNEL for notice in pg.notifies(timeout=0))

    def close(self) -> None:
        """Stop listening: a connection kept for the next task collects no notices."""
        if self.listening and connection.connection is not None:
            with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
                cursor.execute(f"UNLISTEN {CHANNEL}")
