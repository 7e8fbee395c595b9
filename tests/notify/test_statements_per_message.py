"""What sending costs the database: one statement per message (the mark, which also records
the message before's `sent`), one per group of claims, and a few per batch — so that a query
added to the per-message path shows here. On PostgreSQL the mark is a statement prepared once
per connection; one dropped under the worker is prepared again, and nothing is sent twice.

These tests commit (transaction=True): on PostgreSQL the mark is sent ahead of the message
only outside a transaction."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incidents import services
from notify import delivery
from notify import services as notify_services
from notify.delivery import attempts
from notify.delivery.claims import claim_group, claim_params, claim_sql, db_now
from notify.models import Delivery, Notification
from tests.notify.fan_out import fan_out

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def crowd(held_crowd):
    return held_crowd


def test_each_message_costs_one_statement(crowd, smtp):
    """40 messages in groups of 16. PostgreSQL: 8 reads for the batch (rows, notification,
    storm guard, rendering), LISTEN/UNLISTEN, 3 claims (the 2nd and 3rd also record the
    `sent` before them), a mark per message (recording the one before, but after a claim),
    and the last `sent` at the end. SQLite, one statement at a time: 8 reads; the claims (the
    2nd and 3rd with the `sent` before them: BEGIN, UPDATE, UPDATE, COMMIT); per message the
    mark (BEGIN, the `sent` before unless a claim recorded it, the mark, COMMIT) and the
    switch read before each but a group's first; the last `sent` (BEGIN, UPDATE, COMMIT)."""
    assert delivery.group_size() == 16
    with CaptureQueriesContext(connection) as captured:
        assert delivery.deliver_batch(crowd) == {"sent": 40}
    statements = [query["sql"] for query in captured.captured_queries]
    marks = [sql for sql in statements if "SET attempted_at" in sql]
    assert len(marks) == 40
    if connection.vendor == "postgresql":
        assert len(statements) == 8 + 2 + 3 + 40 + 1
    else:
        assert len(statements) == 8 + (1 + 4 + 4) + (40 * 4 - 3) + (40 - 3) + 3
    assert len(smtp.messages) == 40
    assert set(Delivery.objects.values_list("state", flat=True)) == {"sent"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared on PostgreSQL only")
def test_a_mark_statement_dropped_under_the_worker_is_prepared_again(crowd):
    first, second, third = crowd[:3]
    assert claim_group([first, second, third]) == {first, second, third}
    assert attempts.begin(first, None, []).held()
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # as DISCARD ALL or a pooler's new server connection
    assert attempts.begin(second, None, [(first, "", db_now())]).held()
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    assert attempts.begin(third, None, []).held()
    rows = Delivery.objects.in_bulk([first, second, third])
    assert [
        (rows[pk].state, rows[pk].attempted_at is not None) for pk in (first, second, third)
    ] == [
        ("sent", True),
        ("sending", True),
        ("sending", True),
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")
def test_a_claim_finds_its_rows_by_id_whatever_the_statistics_say(outage, subscriber_factory):
    """Statistics taken before a fan-out say that no row is pending: the claim must still not
    walk the pending rows' index (delivery_open) — a fan-out's every row, at each claim."""
    notify_services.pause_sending(reason="setting up")
    for n in range(300):
        subscriber_factory(f"s{n:03d}@example.com")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    services.post_update(incident=outage, status="identified", body="A bad deploy.")
    fan_out(Notification.objects.get().pk)
    ids = list(Delivery.objects.order_by("id").values_list("id", flat=True)[:16])
    sql = claim_sql(connection.vendor, True, len(ids), False)
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", claim_params(ids, None))
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "notify_delivery_pkey" in plan
    assert "delivery_open" not in plan
