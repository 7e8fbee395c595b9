"""The large fan-out on PostgreSQL: two halves of the subscribers written at once, each on a
connection and in a transaction of its own. Every matching subscriber gets one row, queued
once; a re-run adds nothing; a run cut short after one half is finished by its re-run.

PARALLEL_FROM is lowered so that a few hundred subscribers take the path that 100,000 take.
"""

import threading

import pytest
from django.db import OperationalError, connection, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from incidents import services
from notify import fanout, on_commit, tasks
from notify.choices import Channel
from notify.models import Delivery, Notification, Subscriber

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="two halves at once need PostgreSQL (on SQLite, fan_out writes one range); "
        "run with DATABASE_URL=postgres://…",
    ),
]

PER_KIND = 60
MATCHING = {"everything", "api", "this incident", "webhook"}


@pytest.fixture(autouse=True)
def parallel(monkeypatch):
    """Ranges wider than 100 ids are written as two halves; the fan-out that the update's
    commit queues is held back (each test runs it itself)."""
    monkeypatch.setattr(fanout, "PARALLEL_FROM", 100)
    monkeypatch.setattr(on_commit, "publish_fan_out", lambda notification_id: None)


@pytest.fixture
def audience(outage, components) -> dict[int, str]:
    """PER_KIND subscribers of each kind, interleaved by id so that both halves hold every
    kind: subscriber id → kind."""
    now = timezone.now()
    other = services.declare_incident(name="Other", body="…", deliver_notifications=False)
    kinds = {
        "everything": {},
        "api": {},
        "this incident": {"incident": outage},
        "webhook": {"channel": Channel.WEBHOOK},
        "web": {},
        "unconfirmed": {"confirmed_at": None},
        "unsubscribed": {"unsubscribed_at": now},
        "suspended": {"suspended_at": now},
        "other incident": {"incident": other},
        "sms": {"channel": Channel.SMS},
    }
    rows, kind_of_row = [], []
    for n in range(PER_KIND):
        for kind, fields in kinds.items():
            rows.append(Subscriber(**{**address(kind, n), "confirmed_at": now, **fields}))
            kind_of_row.append(kind)
    subscribers = Subscriber.objects.bulk_create(rows)
    follows = {"api": components["API"], "web": components["Web"]}
    through = Subscriber.components.through
    through.objects.bulk_create(
        through(subscriber_id=s.pk, component_id=follows[kind].pk)
        for s, kind in zip(subscribers, kind_of_row, strict=True)
        if kind in follows
    )
    return {s.pk: kind for s, kind in zip(subscribers, kind_of_row, strict=True)}


def address(kind: str, n: int) -> dict[str, str]:
    if kind == "sms":
        return {"channel": Channel.SMS, "address": f"+8190{n:08d}"}
    if kind == "webhook":
        return {"channel": Channel.WEBHOOK, "address": f"https://hooks.example.com/{n}"}
    return {"channel": Channel.EMAIL, "address": f"{kind.replace(' ', '-')}-{n}@example.com"}


@pytest.fixture
def notification(outage, audience) -> Notification:
    services.post_update(incident=outage, status="identified", body="Found it.")
    notification = Notification.objects.get()
    assert Channel.SMS not in notification.channels
    return notification


def matching(audience: dict[int, str]) -> list[int]:
    return sorted(pk for pk, kind in audience.items() if kind in MATCHING)


def rows() -> list[tuple[int, int]]:
    """(subscriber id, delivery id) of every delivery row, in order of subscriber."""
    return list(Delivery.objects.order_by("subscriber_id").values_list("subscriber_id", "id"))


def flat(queued: list[list[int]]) -> list[int]:
    return sorted(i for ids in queued for i in ids)


def test_each_matching_subscriber_gets_one_row_queued_once(audience, notification):
    assert len(fanout.subscriber_ranges(notification)) == 2
    queued = list(fanout.write_deliveries(notification.pk))

    assert sum(map(len, queued)) == 4 * PER_KIND
    assert [subscriber for subscriber, _ in rows()] == matching(audience)
    assert len(queued) == 2  # once per half
    assert all(queued)
    assert flat(queued) == sorted(delivery for _, delivery in rows())
    notification.refresh_from_db()
    assert notification.delivery_count == 4 * PER_KIND
    assert notification.fanned_out_at is not None


def test_running_the_two_halves_again_adds_and_queues_nothing(audience, notification):
    list(fanout.write_deliveries(notification.pk))
    written = rows()

    assert list(fanout.write_deliveries(notification.pk)) == [[], []]
    assert rows() == written


def test_a_run_cut_short_after_its_first_half_is_finished_by_its_rerun(
    audience, notification, monkeypatch
):
    (_, middle), _ = fanout.subscriber_ranges(notification)
    queued: list[list[int]] = []
    handed_over = threading.Event()

    def fan_out() -> int:
        added = 0
        for ids in fanout.write_deliveries(notification.pk):
            queued.append(ids)
            handed_over.set()
            added += len(ids)
        return added

    with monkeypatch.context() as patch:
        patch.setattr(fanout, "write_range", dying_after(handed_over, upper=middle))
        with pytest.raises(OperationalError):
            fan_out()

    lower = [pk for pk in matching(audience) if pk < middle]
    assert [subscriber for subscriber, _ in rows()] == lower
    assert flat(queued) == sorted(delivery for _, delivery in rows())
    assert Notification.objects.get().fanned_out_at is None  # the sweep would run it again

    assert fan_out() == 4 * PER_KIND - len(lower)
    assert [subscriber for subscriber, _ in rows()] == matching(audience)
    assert flat(queued) == sorted(delivery for _, delivery in rows())


def test_the_task_run_again_queues_the_rows_its_first_run_could_not_hand_over(
    audience, notification, monkeypatch
):
    def broker_down(ids: list[int]) -> None:
        raise KombuOperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with monkeypatch.context() as patch:
        patch.setattr(tasks, "queue_new", broker_down)
        with pytest.raises(KombuOperationalError):
            tasks.fan_out(notification.pk)
    assert [subscriber for subscriber, _ in rows()] == matching(audience)  # both committed
    queued: list[list[int]] = []
    monkeypatch.setattr(tasks, "queue_new", queued.append)
    monkeypatch.setattr(tasks, "queue_sends", queued.append)

    assert tasks.fan_out(notification.pk) == 0

    assert flat(queued) == sorted(delivery for _, delivery in rows())


def dying_after(event: threading.Event, *, upper: int):
    """fanout.write_range, but the upper half (from id `upper`) waits for `event`, then loses
    its connection after its INSERT, before its commit (its server process is terminated, as
    when the database restarts)."""
    write_range = fanout.write_range

    def write(notification: Notification, low: int, high: int) -> list[int]:
        if low != upper:
            return write_range(notification, low, high)
        assert event.wait(timeout=10)
        with transaction.atomic():
            fanout.insert_range(notification, low, high)
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")
        raise AssertionError("the transaction of a terminated connection committed")

    return write
