"""The statement before each message: it records the `sent` of the message before (if any) and
marks this one attempted — if it is still `sending` and still this worker's — in one commit.

So a worker killed at any moment leaves at most one row attempted without an outcome: the
message it was handing over, which becomes `unknown`; the rows it claimed but had not attempted
go back to pending (notify.delivery.takeover). A mark that finds the row no longer this
worker's (it was taken for dead and its claims taken over) stops the send.

On PostgreSQL the statement is sent ahead and its result awaited only when the message is
about to become the provider's (for SMTP: after DATA is accepted, before the message's bytes),
so the commit's wait for the disk overlaps the round trips before it. The connection runs
nothing else meanwhile: the result is always read before the next statement. The statement is
prepared once per connection (named `noroshi_mark*`; behind PgBouncer in transaction mode its
`max_prepared_statements` must be on — the default from 1.22 — and one dropped under the worker
is prepared again). Elsewhere (SQLite) the statement runs at once.
"""

import contextlib
import weakref
from functools import cache

import psycopg
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from psycopg import errors, generators, pq

from notify.choices import DeliveryState
from notify.delivery.claims import Sent, record_sent, table
from notify.models import Delivery

# Deliveries this process marked, or was marking, whose message reached no provider, left by a
# batch that a database error ended (the mark's result could not be read: in the database the
# row may be attempted). The process knows what the database cannot: nothing left. Its
# give-back (notify.delivery.takeover.give_back_own) settles them as untried, not `unknown`.
UNSENT: set[int] = set()


@contextlib.contextmanager
def until_handed_over(delivery_id: int):
    """Around one delivery's mark and send: kept in UNSENT if a database error ends it before
    the message was handed over (handed_over() not called)."""
    UNSENT.add(delivery_id)
    try:
        yield
    except DatabaseError:
        raise
    except BaseException:
        UNSENT.discard(delivery_id)
        raise
    UNSENT.discard(delivery_id)


def handed_over(delivery_id: int) -> None:
    """From here the provider may have the message."""
    UNSENT.discard(delivery_id)


class NotHeld(Exception):
    """The delivery is no longer this worker's to send: nothing was handed over."""


@cache
def mark_sql(recording: bool) -> bytes:
    """PostgreSQL, numbered parameters: ($1 provider id, $2 time, $3 id: the `sent` before),
    $4 time, $5 id, $6 claimant: the mark. Constant states are written in."""
    delivery = table(Delivery)
    sending = f"'{DeliveryState.SENDING}'"
    recorded = f"""
        WITH recorded AS (
          UPDATE {delivery} SET state = '{DeliveryState.SENT}', provider_id = $1, error = '',
            finished_at = $2
          WHERE id = $3 AND state = {sending}
        )"""
    first = 4 if recording else 1
    mark = f"""
        UPDATE {delivery} SET attempted_at = ${first}
        WHERE id = ${first + 1} AND state = {sending}
          AND claimed_by_id IS NOT DISTINCT FROM ${first + 2}
        RETURNING id"""
    return ((recorded if recording else "") + mark).encode()


def text(value) -> bytes | None:
    if value is None:
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat().encode()
    return str(value).encode()


class Mark:
    """A mark whose outcome is known: `held()` says whether the row is still this worker's."""

    def __init__(self, outcome: bool):
        self.outcome = outcome

    def held(self) -> bool:
        return self.outcome

    def require(self) -> None:
        """Raise NotHeld unless the row is still this worker's (the channel calls this just
        before the provider may take the message)."""
        if not self.held():
            raise NotHeld


class PendingMark(Mark):
    """A mark sent to PostgreSQL whose result is read at the first `held()`. The statement is
    prepared once per connection (parsed and planned once: most of PostgreSQL's CPU for it)."""

    def __init__(self, recording: bool, params: list[bytes | None]):
        super().__init__(False)
        self.read = False
        self.recording, self.params = recording, params
        connection.ensure_connection()
        self.pg = connection.connection
        self.pgconn = self.pg.pgconn
        if connection.queries_logged:  # so that CaptureQueriesContext counts the marks too
            sql = mark_sql(recording).decode()
            connection.queries_log.append({"sql": sql, "time": "0.000"})
        with connection.wrap_database_errors:
            self.send()

    def send(self) -> None:
        name = prepare(self.pg, self.recording)
        self.pgconn.send_query_prepared(name, self.params)
        self.pg.wait(generators.send(self.pgconn))

    def held(self) -> bool:
        if not self.read:
            self.read = True
            with connection.wrap_database_errors:
                results = self.results()
                if failed(results, NO_SUCH_STATEMENT):
                    # Dropped under us (DISCARD ALL, a pooler's new server connection): nothing
                    # ran, so it is prepared and sent again.
                    PREPARED.pop(self.pg, None)
                    self.send()
                    results = self.results()
                for result in results:
                    if result.status == pq.ExecStatus.FATAL_ERROR:
                        raise errors.error_from_result(result, encoding="utf-8")
            self.outcome = any(result.ntuples for result in results)
        return self.outcome

    def results(self) -> list[pq.abc.PGresult]:
        # Asleep on the socket: psycopg's own wait (waiting.wait's default interval, 0, polls
        # without sleeping — a core's worth of CPU for each commit's flush).
        return self.pg.wait(generators.fetch_many(self.pgconn))


# The marks prepared on each open connection (a new connection prepares them again).
PREPARED: "weakref.WeakKeyDictionary[psycopg.Connection, set[bytes]]" = weakref.WeakKeyDictionary()


def prepare(pg: psycopg.Connection, recording: bool) -> bytes:
    """The name of the mark statement on this connection, prepared if it is not yet."""
    name = b"noroshi_mark_sent" if recording else b"noroshi_mark"
    names = PREPARED.setdefault(pg, set())
    if name not in names:
        pg.pgconn.send_prepare(name, mark_sql(recording))
        pg.wait(generators.send(pg.pgconn))
        for result in pg.wait(generators.fetch_many(pg.pgconn)):
            if result.status == pq.ExecStatus.FATAL_ERROR:
                raise errors.error_from_result(result, encoding="utf-8")
        names.add(name)
    return name


NO_SUCH_STATEMENT = b"26000"  # invalid_sql_statement_name


def failed(results: list[pq.abc.PGresult], sqlstate: bytes) -> bool:
    return any(
        result.status == pq.ExecStatus.FATAL_ERROR
        and result.error_field(pq.DiagnosticField.SQLSTATE) == sqlstate
        for result in results
    )


def begin(delivery_id: int, claimant: int | None, sent: list[Sent]) -> Mark:
    """Record the `sent` of the message before (if any) and mark this delivery attempted;
    on PostgreSQL outside a transaction, sent now and read later."""
    if len(sent) > 1:  # the loop records each message before the next; a guard, not a path
        record_sent(sent[:-1])
        sent = sent[-1:]
    now = timezone.now()
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        before = [text(sent[0][1]), text(sent[0][2]), text(sent[0][0])] if sent else []
        params = [*before, text(now), text(delivery_id), text(claimant)]
        return PendingMark(bool(sent), params)
    return Mark(mark_now(delivery_id, claimant, sent, now))


def mark_now(delivery_id: int, claimant: int | None, sent: list[Sent], now) -> bool:
    same = "IS NOT DISTINCT FROM" if connection.vendor == "postgresql" else "IS"
    sql = f"""
        UPDATE {table(Delivery)} SET attempted_at = %s
        WHERE id = %s AND state = %s AND claimed_by_id {same} %s
    """
    with transaction.atomic(), connection.cursor() as cursor:
        record_sent(sent)
        params = [connection.ops.adapt_datetimefield_value(now), delivery_id]
        cursor.execute(sql, [*params, DeliveryState.SENDING, claimant])
        return cursor.rowcount == 1
