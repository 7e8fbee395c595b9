"""The rows' side of sending: the claim, the outcome, giving a delivery back, and the
subscriber's failure count — each one conditional statement, so that only the claimant writes
and final states stay final.

The two statements run once per message (the claim, and the outcome) are written out in SQL
rather than built by the ORM on every call.
"""

import contextlib
from datetime import timedelta
from functools import cache

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from incidents.services.audit import record_audit
from notify.choices import DeliveryState
from notify.models import Delivery, ProcessHeartbeat, SendingSwitch, Subscriber

SUSPEND_AFTER_FAILURES = 3
# `attempts` is a smallint: a transient failure is retried until an age, not a count, and a
# drill with a one-second backoff must not run the counter past its ceiling.
MOST_ATTEMPTS = 32767


def sending_paused() -> bool:
    return SendingSwitch.objects.filter(id=1, paused=True).exists()


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


@cache
def claim_sql(vendor: str, active_subscriber: bool, count: int = 1, claimant: bool = False) -> str:
    """The claim of `count` deliveries: pending, due, sending not paused (and the subscriber
    still active); it returns the ids it took, recording the claimant (a worker process's
    heartbeat row, which must be running: a process taken for dead claims nothing more under
    it). Written out rather than built by the ORM each time: it runs once per group."""
    delivery, switch, subscriber = table(Delivery), table(SendingSwitch), table(Subscriber)
    heartbeat = table(ProcessHeartbeat)
    # A scalar subquery on the subscriber's primary key: as an EXISTS, PostgreSQL may turn it
    # into a join that walks the index subscriber_active (every active subscriber) per claim.
    active = f"""
        AND (
          SELECT s.confirmed_at IS NOT NULL AND s.unsubscribed_at IS NULL
            AND s.suspended_at IS NULL
          FROM {subscriber} s WHERE s.id = {delivery}.subscriber_id
        )"""
    running = f"""
        AND EXISTS (SELECT 1 FROM {heartbeat} h WHERE h.id = %s AND h.stopped_at IS NULL)"""
    ids = ", ".join(["%s"] * count)
    # `(state = …) IS TRUE` (state is never NULL): not a condition an index can serve, so the
    # rows are found by their ids alone. As `state = …` PostgreSQL may AND the ids with the
    # index delivery_open, which walks every pending row — a fan-out's 100,000 per claim —
    # whenever its statistics predate the fan-out (they do until autovacuum's next ANALYZE).
    return f"""
        UPDATE {delivery} SET state = %s, claimed_at = %s,
          attempts = CASE WHEN attempts < {MOST_ATTEMPTS} THEN attempts + 1 ELSE attempts END,
          claimed_by_id = %s, attempted_at = NULL
        WHERE id IN ({ids}) AND (state = %s) IS TRUE
          AND (next_attempt_at IS NULL OR next_attempt_at <= %s)
          AND NOT EXISTS (SELECT 1 FROM {switch} WHERE id = 1 AND paused = %s)
          {active if active_subscriber else ""}
          {running if claimant else ""}
        RETURNING id
    """


@cache
def finish_sql(vendor: str) -> str:
    return f"""
        UPDATE {table(Delivery)} SET state = %s, provider_id = %s, error = %s, finished_at = %s
        WHERE id = %s AND state = %s
    """


@cache
def record_sent_sql(vendor: str) -> str:
    """PostgreSQL: the `sent` of several messages in one statement (ids, provider ids, times)."""
    return f"""
        UPDATE {table(Delivery)} AS d
        SET state = %s, provider_id = v.provider_id, error = '', finished_at = v.at
        FROM unnest(%s::bigint[], %s::text[], %s::timestamptz[]) AS v(id, provider_id, at)
        WHERE d.id = v.id AND d.state = %s
    """


@cache
def record_and_claim_sql(vendor: str, count: int, claimant: bool) -> str:
    """PostgreSQL: the `sent` of the message before and the next claim in one statement (a
    data-modifying WITH runs whether or not its rows are read): one round trip, one commit."""
    return f"""
        WITH recorded AS ({record_sent_sql(vendor)} RETURNING d.id)
        {claim_sql(vendor, True, count, claimant)}
    """


def db_now():
    """Now, as the database takes it in a raw statement (SQLite stores text)."""
    return connection.ops.adapt_datetimefield_value(timezone.now())


def claim_params(delivery_ids: list[int], claimant: int | None) -> list:
    now = db_now()
    params = [DeliveryState.SENDING, now, claimant, *delivery_ids, DeliveryState.PENDING, now]
    return params + [True] + ([] if claimant is None else [claimant])


Sent = tuple[int, str, object]  # a delivery whose message went out: id, provider id, time


def sent_params(sent: list[Sent]) -> list:
    ids, provider_ids, times = (list(column) for column in zip(*sent, strict=True))
    return [DeliveryState.SENT, ids, provider_ids, times, DeliveryState.SENDING]


def record_sent(sent: list[Sent]) -> None:
    """Write the `sent` of these deliveries (each still `sending`: final states stay final)."""
    if not sent:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(record_sent_sql(connection.vendor), sent_params(sent))
            return
        # Part of the caller's transaction when there is one (no savepoint per message).
        with transaction.atomic(savepoint=False):
            for delivery_id, provider_id, at in sent:
                finish(delivery_id, state=DeliveryState.SENT, provider_id=provider_id, at=at)


def claim(
    delivery_id: int, *, active_subscriber: bool = False, claimant: int | None = None
) -> bool:
    """Take a due pending delivery for sending; False when another worker has it, it is not
    due, it is final, or sending is paused (or, if asked, its subscriber is not active)."""
    sql = claim_sql(connection.vendor, active_subscriber, 1, claimant is not None)
    with connection.cursor() as cursor:
        cursor.execute(sql, claim_params([delivery_id], claimant))
        return bool(cursor.fetchall())


def claim_group(
    delivery_ids: list[int], sent: list[Sent] | None = None, claimant: int | None = None
) -> set[int]:
    """Take those of these deliveries that are due and pending, of a subscriber still active,
    in one statement — with the `sent` of messages before them, if given: one commit for all.
    Return the ids taken."""
    vendor, count, claims = connection.vendor, len(delivery_ids), claimant is not None
    with connection.cursor() as cursor:
        if sent and vendor == "postgresql":
            params = sent_params(sent) + claim_params(delivery_ids, claimant)
            cursor.execute(record_and_claim_sql(vendor, count, claims), params)
            return {row[0] for row in cursor.fetchall()}
        sql = claim_sql(vendor, True, count, claims)
        with transaction.atomic() if sent else contextlib.nullcontext():
            record_sent(sent or [])
            cursor.execute(sql, claim_params(delivery_ids, claimant))
            return {row[0] for row in cursor.fetchall()}


def finish(
    delivery_id: int, *, state: str, provider_id: str = "", error: str = "", at=None
) -> bool:
    """Record a final outcome (or `unknown`) of a delivery this worker is sending."""
    at = at or db_now()
    params = [state, provider_id, error[:2000], at, delivery_id, DeliveryState.SENDING]
    with connection.cursor() as cursor:
        cursor.execute(finish_sql(connection.vendor), params)
        return cursor.rowcount == 1


def release(
    delivery_id: int | list[int],
    *,
    error: str = "",
    delay: timedelta | None = None,
    attempted: bool = True,
) -> None:
    """Give claimed deliveries back (not sent): due again at once or after `delay`. Unless
    `attempted`, the claim does not count as an attempt (nothing was tried)."""
    ids = delivery_id if isinstance(delivery_id, list) else [delivery_id]
    Delivery.objects.filter(pk__in=ids, state=DeliveryState.SENDING).update(
        state=DeliveryState.PENDING,
        next_attempt_at=timezone.now() + delay if delay else None,
        enqueued_at=None,
        error=error[:2000],
        attempts=F("attempts") - (0 if attempted else 1),
    )


def note_failure(subscriber: Subscriber, reason: str) -> None:
    """Count a permanent failure; suspend the subscriber after SUSPEND_AFTER_FAILURES."""
    Subscriber.objects.filter(pk=subscriber.pk).update(
        consecutive_failures=F("consecutive_failures") + 1
    )
    suspended = Subscriber.objects.filter(
        pk=subscriber.pk,
        consecutive_failures__gte=SUSPEND_AFTER_FAILURES,
        suspended_at__isnull=True,
    ).update(suspended_at=timezone.now(), suspended_reason=reason[:500])
    if suspended:
        record_audit(actor=None, action="suspend", target=subscriber, summary=reason)


def note_success(subscriber: Subscriber) -> None:
    Subscriber.objects.filter(pk=subscriber.pk, consecutive_failures__gt=0).update(
        consecutive_failures=0
    )


def postpone(delivery_id: int, delay: timedelta) -> None:
    """Leave a pending delivery for later (its channel is at its rate limit): the sweep hands
    it over again once it is due."""
    Delivery.objects.filter(pk=delivery_id, state=DeliveryState.PENDING).update(
        next_attempt_at=timezone.now() + delay, enqueued_at=None
    )
