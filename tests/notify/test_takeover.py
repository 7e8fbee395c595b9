"""Each message's outcome is written as the next one begins, and a worker process that stops
beating is taken over: its message in flight `unknown` (webhooks retried), what it had only
claimed and the pending rest of its task queued again — by exactly one live process.

These tests commit (transaction=True): the SMTP sink and the heartbeat thread read the rows
from connections of their own, as other processes would."""

from datetime import timedelta

import psycopg
import pytest
from django.db import DatabaseError, OperationalError, connection
from django.utils import timezone

from incidents import services
from notify import delivery, liveness, lost_work, worker
from notify import services as notify_services
from notify.choices import ProcessRole
from notify.delivery import attempts, takeover
from notify.delivery.claims import claim_group
from notify.models import Delivery, Notification, ProcessHeartbeat, SendingSwitch
from tests.notify.fan_out import fan_out

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def crowd(held_crowd):
    return held_crowd


def rows(ids):
    """(state, attempted) of these deliveries, as another connection reads them."""
    found = Delivery.objects.in_bulk(ids)
    return [(found[pk].state, found[pk].attempted_at is not None) for pk in ids]


def test_each_sent_is_written_before_the_next_message_leaves(crowd, smtp):
    """Read by the sink while it takes the 7th message (its sender waits for the reply): six
    `sent`, the 7th attempted, the rest of its group only claimed, the others pending."""
    seen = {}

    def on_message(count: int) -> None:
        if count == 7:
            seen["rows"] = rows(crowd)
        connection.close()

    smtp.sink.on_message = on_message
    assert delivery.deliver_batch(crowd) == {"sent": 40}
    group = delivery.group_size()
    assert seen["rows"] == (
        [("sent", True)] * 6
        + [("sending", True)]
        + [("sending", False)] * (group - 7)
        + [("pending", False)] * (40 - group)
    )
    assert rows(crowd) == [("sent", True)] * 40


def dead_worker(ids, *, attempted: int | None, holding=()):
    """A worker process's heartbeat row that claimed these deliveries (and marked one of them
    attempted), then stopped beating long ago: what a SIGKILL leaves."""
    dead = ProcessHeartbeat.objects.create(
        role=ProcessRole.WORKER, name="worker:elsewhere:1:dead", hostname="elsewhere", pid=1
    )
    ProcessHeartbeat.objects.filter(pk=dead.pk).update(holding=list(holding))
    assert claim_group(ids, claimant=dead.pk) == set(ids)
    if attempted is not None:
        assert attempts.begin(attempted, dead.pk, []).held()
    late = timezone.now() - timedelta(seconds=60)
    ProcessHeartbeat.objects.filter(pk=dead.pk).update(beat_at=late, started_at=late)
    return dead


def live_worker():
    return ProcessHeartbeat.objects.create(
        role=ProcessRole.WORKER, name="worker:here:2:live", hostname="here", pid=2
    )


def test_a_dead_workers_claims_are_taken_over_once(crowd, smtp):
    claimed, held = crowd[:16], crowd[16:24]
    dead = dead_worker(claimed, attempted=claimed[3], holding=crowd[:24])
    live = live_worker()

    worker.look_after(live.pk)  # queued again at once: here the tasks run in this process

    assert Delivery.objects.get(pk=claimed[3]).state == "unknown"
    assert Delivery.objects.get(pk=claimed[3]).error == takeover.LOST
    sent = set(Delivery.objects.filter(state="sent").values_list("pk", flat=True))
    assert sent == set(claimed + held) - {claimed[3]}
    assert Delivery.objects.filter(state="pending").count() == 40 - 24
    assert set(smtp.sink.per_recipient().values()) == {1}
    assert len(smtp.messages) == 23
    # Not attempted, the claim was not counted: one attempt each, the one that was sent.
    assert set(Delivery.objects.filter(pk__in=claimed[:3]).values_list("attempts", flat=True)) == {
        1
    }
    assert ProcessHeartbeat.objects.get(pk=dead.pk).stopped_at is not None
    assert takeover.take_over(dead.pk) is None  # exactly once


def test_a_worker_beating_again_is_not_taken_over(crowd):
    dead = dead_worker(crowd[:4], attempted=crowd[0])
    ProcessHeartbeat.objects.filter(pk=dead.pk).update(beat_at=timezone.now())
    assert takeover.take_over(dead.pk) is None
    assert rows(crowd[:4]) == [("sending", True)] + [("sending", False)] * 3


def test_a_dead_workers_webhook_in_flight_is_retried_under_its_key(outage, hook):
    hook("/a")
    notify_services.pause_sending(reason="setting up")
    services.post_update(incident=outage, status="identified", body="Found it.")
    fan_out(Notification.objects.get().pk)
    SendingSwitch.objects.filter(id=1).update(paused=False)
    (webhook,) = Delivery.objects.values_list("pk", flat=True)
    dead = dead_worker([webhook], attempted=webhook)
    Delivery.objects.filter(pk=webhook).update(next_attempt_at=timezone.now() + timedelta(hours=1))

    settled = takeover.take_over(dead.pk)

    assert settled is not None and (settled.unknown, settled.requeue) == (0, [])  # not due
    row = Delivery.objects.get(pk=webhook)
    assert (row.state, row.attempts, row.error) == ("pending", 1, takeover.LOST_WEBHOOK)


def test_a_worker_taken_for_dead_sends_nothing_more_of_what_it_claimed(crowd, smtp):
    """Its mark finds the row given back: the SMTP exchange is cut before the data, and the
    sink receives nothing."""
    dead = dead_worker(crowd[:2], attempted=None)
    notify_services.pause_sending(reason="so that the takeover queues nothing")
    assert takeover.take_over(dead.pk) is not None
    batch = delivery.Batch(delivery.fetch([crowd[0]]))
    row, channel = batch.deliveries[0], batch.channel("email")
    message = batch.message(row)
    mark = attempts.begin(crowd[0], dead.pk, [])
    with pytest.raises(attempts.NotHeld):
        delivery.hand_over(channel, message, row, mark)
    assert smtp.messages == []
    assert Delivery.objects.get(pk=crowd[0]).state == "pending"


def test_rows_a_process_left_sending_without_a_batch_are_given_back(crowd, smtp):
    """A batch ended by an error leaves its rows `sending`: the process's heartbeat gives them
    back while it runs no batch (and the sweep does, once the process stopped)."""
    live = live_worker()
    assert claim_group(crowd[:3], claimant=live.pk) == set(crowd[:3])
    assert attempts.begin(crowd[0], live.pk, []).held()

    worker.look_after(live.pk)

    assert rows(crowd[:3]) == [("unknown", True), ("sent", True), ("sent", True)]
    assert len(smtp.messages) == 2


def test_the_sweep_settles_what_a_stopped_process_left(crowd):
    stopped = live_worker()
    assert claim_group(crowd[:2], claimant=stopped.pk) == set(crowd[:2])
    assert attempts.begin(crowd[0], stopped.pk, []).held()
    ProcessHeartbeat.objects.filter(pk=stopped.pk).update(stopped_at=timezone.now())

    result = lost_work.find_lost_work()

    assert result.unknown == 1
    assert crowd[1] in result.requeue
    assert rows(crowd[:2]) == [("unknown", True), ("pending", False)]


def test_a_heartbeat_taken_for_dead_beats_on_as_a_new_process(settings):
    heartbeat = liveness.Heartbeat(ProcessRole.WORKER)
    heartbeat.beat()
    first = heartbeat.row_id
    ProcessHeartbeat.objects.filter(pk=first).update(stopped_at=timezone.now())
    heartbeat.beat()
    assert heartbeat.row_id != first
    assert liveness.running(ProcessRole.WORKER).get().pk == heartbeat.row_id
    heartbeat.mark_stopped()
    assert not liveness.running(ProcessRole.WORKER).exists()


def test_a_mark_never_handed_over_goes_back_untried_not_unknown(crowd, smtp):
    """A database error that ends a batch before its message reached the provider (the mark's
    result could not be read: in the database the row may be attempted) leaves the row to the
    process's give-back, which knows nothing left: pending again, sent once, never `unknown`."""
    live = live_worker()
    assert claim_group(crowd[:2], claimant=live.pk) == set(crowd[:2])
    with pytest.raises(DatabaseError), attempts.until_handed_over(crowd[0]):
        assert attempts.begin(crowd[0], live.pk, []).held()  # committed, as a lost result may be
        raise OperationalError("server closed the connection unexpectedly")

    worker.look_after(live.pk)

    assert rows(crowd[:2]) == [("sent", True), ("sent", True)]
    assert len(smtp.messages) == 2
    assert not attempts.UNSENT


def test_a_message_handed_over_before_the_error_stays_unknown(crowd, smtp):
    live = live_worker()
    assert claim_group(crowd[:1], claimant=live.pk) == set(crowd[:1])
    with pytest.raises(DatabaseError), attempts.until_handed_over(crowd[0]):
        assert attempts.begin(crowd[0], live.pk, []).held()
        attempts.handed_over(crowd[0])  # the provider may have it
        raise OperationalError("server closed the connection unexpectedly")

    worker.look_after(live.pk)

    assert rows(crowd[:1]) == [("unknown", True)]
    assert smtp.messages == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a mark read later is PostgreSQL's")
def test_a_mark_whose_result_fails_is_remembered_as_never_handed_over(crowd, smtp):
    """The mark's statement fails on the server (here: cancelled by a statement timeout while
    another transaction holds the row): the send stops before the data, and the row is noted
    as never handed over. (This test process has no heartbeat: it claims as None.)"""
    batch = delivery.Batch(delivery.fetch([crowd[0]]))
    row, channel = batch.deliveries[0], batch.channel("email")
    me = liveness.identity()
    assert claim_group(crowd[:1], claimant=me) == set(crowd[:1])
    with psycopg.connect(**connection.get_connection_params(), autocommit=False) as blocker:
        blocker.execute("SELECT 1 FROM notify_delivery WHERE id = %s FOR UPDATE", [crowd[0]])
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 200")
        try:
            with pytest.raises(DatabaseError):
                delivery.send(row, channel, batch.message(row), batch)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET statement_timeout")
    assert sorted(attempts.UNSENT) == [crowd[0]]
    assert smtp.messages == []
    assert rows(crowd[:1]) == [("sending", False)]  # the give-back: the test above
    attempts.UNSENT.clear()  # this process's memory: no other test may inherit it
