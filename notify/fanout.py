"""Fan-out: one delivery row per matching subscriber, in set-based statements.

INSERT … SELECT … ON CONFLICT DO NOTHING (PostgreSQL and SQLite alike) against the unique
(notification, subscriber) index: running it again — a retried task, a redelivered message, the
sweep — adds nothing, and no row is built in Python.

A large fan-out on PostgreSQL is written as two halves of the subscribers' ids at once, each on
its own connection and in its own transaction; a fan-out cut short is finished by its re-run.
The rows are written already marked enqueued, since they are queued right after the commit; if
that queueing is lost, the sweep hands them over once NOTIFY_REQUEUE_SECONDS have passed.
"""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed

from django.db import connection, connections, transaction
from django.db.models import Max, Min, Q
from django.utils import timezone

from notify.choices import DeliveryState
from notify.models import Delivery, Notification, Subscriber

CHUNK = 500  # delivery ids per send task
# A fan-out over more subscriber ids than this is written as two halves at once, each on a
# connection of its own: PostgreSQL then checks the rows' keys and fills the indexes on two
# cores (at 100,000 rows, 1.8 s of the database's time in all, two fifths of it in the two
# foreign key checks).
PARALLEL_FROM = 20_000


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def fan_out_sql(channel_count: int) -> str:
    """The statement: a row for each subscriber of the audience, none twice; the ids added.

    The rows go in in the order of the subscribers' ids: the unique index and the subscriber
    index then grow at one end rather than all over, and the foreign key checks read the
    subscribers in order (at 100,000, a fifth less of the database's time). The WHERE true
    tells SQLite's parser that ON CONFLICT does not begin a join's ON."""
    return f"""
        INSERT INTO {table(Delivery)}
            (notification_id, subscriber_id, channel, state, attempts, provider_id,
             provider_status, error, created_at, enqueued_at)
        SELECT %(notification)s, a.id, a.channel, %(pending)s, 0, '', '', '', %(now)s, %(now)s
        FROM ({audience_sql(channel_count)}) a
        WHERE true
        ON CONFLICT (notification_id, subscriber_id) DO NOTHING
        RETURNING id
    """


def audience_sql(channel_count: int) -> str:
    """The ids and channels, in order of id, of the confirmed, active subscribers on an allowed
    channel, in a range of ids, whose scope (an incident, components, or everything) matches
    the notification.

    Written as two disjoint halves — subscribers following one of the notification's
    components (found through the component index: only the audience is read), and those
    following everything (one anti-join) — rather than one OR of two EXISTS, which PostgreSQL
    evaluates subscriber by subscriber (ten times slower at 100,000). The range is repeated on
    the components' side, which PostgreSQL does not infer: each half of a large fan-out then
    reads its half of the audience, not all of it. Only the id and the channel are sorted, not
    the rows to write."""
    subscriber = table(Subscriber)
    subscriber_components = table(Subscriber.components.through)
    notification_components = table(Notification.components.through)
    channels = ", ".join(["%(channels_" + str(n) + ")s" for n in range(channel_count)])
    who = f"""
        s.id >= %(low)s AND s.id < %(high)s
          AND s.confirmed_at IS NOT NULL
          AND s.unsubscribed_at IS NULL
          AND s.suspended_at IS NULL
          AND s.channel IN ({channels})
          AND (s.incident_id IS NULL OR s.incident_id = %(incident)s)"""
    return f"""
        SELECT s.id, s.channel FROM {subscriber} s
        WHERE {who}
          AND s.id IN (
            SELECT sc.subscriber_id FROM {subscriber_components} sc
            JOIN {notification_components} nc ON nc.component_id = sc.component_id
            WHERE nc.notification_id = %(notification)s
              AND sc.subscriber_id >= %(low)s AND sc.subscriber_id < %(high)s
          )
        UNION ALL
        SELECT s.id, s.channel FROM {subscriber} s
        WHERE {who}
          AND NOT EXISTS (SELECT 1 FROM {subscriber_components} sc WHERE sc.subscriber_id = s.id)
        ORDER BY id
    """


def subscriber_ranges(notification: Notification) -> list[tuple[int, int]]:
    """[low, high) ranges of ids covering the subscribers that may receive it: one, or two
    halves to be written at once."""
    bounds = Subscriber.objects.filter(
        confirmed_at__isnull=False,
        unsubscribed_at__isnull=True,
        suspended_at__isnull=True,
        channel__in=notification.channels,
    ).aggregate(low=Min("id"), high=Max("id"))
    if bounds["low"] is None:
        return []
    low, end = bounds["low"], bounds["high"] + 1
    if end - low < PARALLEL_FROM or not in_parallel():
        return [(low, end)]
    middle = (low + end) // 2
    return [(low, middle), (middle, end)]


def insert_range(notification: Notification, low: int, high: int) -> list[int]:
    """Write the rows of the subscribers with ids in [low, high); the ids added."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    params = {
        "notification": notification.pk,
        "pending": DeliveryState.PENDING,
        "now": now,
        "low": low,
        "high": high,
        "incident": notification.incident_id,
        **{f"channels_{n}": channel for n, channel in enumerate(notification.channels)},
    }
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Not worth a wait for the disk: rows lost with the server would be written again
            # by the sweep (the notification is not marked fanned out before they are), and
            # each claim's own commit flushes them before any message leaves.
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        cursor.execute(fan_out_sql(len(notification.channels)), params)
        return [row[0] for row in cursor.fetchall()]


def write_range(notification: Notification, low: int, high: int) -> list[int]:
    """One range in one transaction; the ids it added."""
    with transaction.atomic():
        return insert_range(notification, low, high)


def write_range_on_own_connection(notification: Notification, low: int, high: int) -> list[int]:
    try:
        return write_range(notification, low, high)
    finally:
        connections.close_all()  # this thread's connections only


def in_parallel() -> bool:
    """Two connections at once: only PostgreSQL, and never inside a transaction (the other
    connection would not see what it holds)."""
    return connection.vendor == "postgresql" and not connection.in_atomic_block


def write_ranges(notification: Notification, ranges: list[tuple[int, int]]) -> Iterator[list[int]]:
    """Write the ranges, each in its transaction (two at once on connections of their own);
    yield each range's ids added as soon as they are committed — or, on a connection already
    in a transaction, written, to be committed with it — so that they can be queued while
    the other range is still being written (a half that committed is yielded even when the
    other fails)."""
    if len(ranges) > 1:
        with ThreadPoolExecutor(max_workers=len(ranges)) as pool:
            writes = [pool.submit(write_range_on_own_connection, notification, *r) for r in ranges]
            for written in as_completed(writes):
                yield written.result()
        return
    for low, high in ranges:
        yield write_range(notification, low, high)


def write_deliveries(notification_id: int) -> Iterator[list[int]]:
    """Write the delivery rows of a notification, yielding the ids each range of subscribers
    added (see write_ranges); once all are written, mark the notification fanned out with its
    total. Safe to run any number of times: a re-run yields only what it added."""
    notification = Notification.objects.filter(pk=notification_id).first()
    if notification is None:
        return  # deleted with its incident since it was queued
    ranges = subscriber_ranges(notification) if notification.channels else []
    yield from write_ranges(notification, ranges)
    total = Delivery.objects.filter(notification=notification).count()
    Notification.objects.filter(pk=notification.pk).update(
        fanned_out_at=notification.fanned_out_at or timezone.now(), delivery_count=total
    )


def mark_enqueued(delivery_ids: list[int]) -> None:
    """Record that these pending deliveries were just handed to the broker (the sweep waits a
    while before handing them over again)."""
    Delivery.objects.filter(pk__in=delivery_ids, state=DeliveryState.PENDING).update(
        enqueued_at=timezone.now()
    )


def mark_not_enqueued(delivery_ids: list[int]) -> None:
    """Record that these pending deliveries did not reach the broker after all (the next
    sweep hands them over)."""
    Delivery.objects.filter(pk__in=delivery_ids, state=DeliveryState.PENDING).update(
        enqueued_at=None
    )


def pending_before(notification_id: int, started) -> list[int]:
    """The notification's pending deliveries not handed to the broker since `started` (those
    a run before this one wrote or left): a re-run queues them again. Reads the index
    delivery_open."""
    return list(
        Delivery.objects.filter(notification_id=notification_id, state=DeliveryState.PENDING)
        .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=started))
        .order_by("id")
        .values_list("id", flat=True)
    )


def chunks(ids: list[int]) -> list[list[int]]:
    return [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]
