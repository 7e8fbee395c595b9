"""Idempotency keys: claimed once, in the transaction of the write they guard — also when two
requests bring the same key at the same moment (two browsers' double click, a retry racing the
first request) — and forgotten after a day."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from incidents import selectors, services, tasks
from incidents.models import IdempotencyKey, Incident
from tests.console_client import ConsoleClient
from tests.incidents.test_admin import DECLARE_URL, form_data

pytestmark = pytest.mark.django_db(transaction=True)

ON_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="two transactions at once need PostgreSQL (SQLite writes one at a time); "
    "run with DATABASE_URL=postgres://…",
)
WAIT = 30


def claim(key: str = "k1", fingerprint: str = "f1") -> IdempotencyKey | None:
    return services.claim_idempotency_key(owner="user:1", key=key, fingerprint=fingerprint)


def test_a_key_is_claimed_once_and_keeps_what_its_write_made(components):
    with transaction.atomic():
        first = claim()
        assert first is not None
        incident = services.declare_incident(name="API is down", body="Investigating.")
        services.record_idempotent_result(first, result=incident)
    with transaction.atomic():
        assert claim() is None

    stored = selectors.idempotency_key(owner="user:1", key="k1")
    assert stored is not None
    assert (stored.fingerprint, stored.result_type, stored.result_id, stored.response) == (
        "f1",
        "incidents.incident",
        str(incident.pk),
        None,
    )
    assert selectors.idempotency_key(owner="user:2", key="k1") is None


def test_a_claim_is_undone_with_its_write():
    with pytest.raises(RuntimeError), transaction.atomic():
        assert claim() is not None
        raise RuntimeError("the write failed")

    with transaction.atomic():
        assert claim() is not None
    assert IdempotencyKey.objects.count() == 1


def test_a_claim_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError) as error:
        claim()
    assert str(error.value) == "Claim an idempotency key inside the transaction of its write."
    assert IdempotencyKey.objects.count() == 0


def test_keys_older_than_a_day_are_forgotten():
    now = timezone.now()
    for key, age in (("old", timedelta(hours=25)), ("recent", timedelta(hours=23))):
        IdempotencyKey.objects.create(
            owner="user:1", key=key, fingerprint="f", created_at=now - age
        )

    assert services.forget_idempotency_keys(now=now) == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["recent"]


def test_beat_forgets_old_keys_every_hour(settings):
    IdempotencyKey.objects.create(
        owner="user:1", key="old", fingerprint="f", created_at=timezone.now() - timedelta(days=2)
    )
    entry = settings.CELERY_BEAT_SCHEDULE["forget-idempotency-keys"]

    assert entry["task"] == tasks.forget_idempotency_keys.name
    assert tasks.forget_idempotency_keys.apply().get() == 1
    assert IdempotencyKey.objects.count() == 0


def blocked_on_a_lock() -> bool:
    """Whether another session of this database waits for a lock (the second claim)."""
    with connection.cursor() as cursor:
        # The activity view is read once per transaction unless its snapshot is cleared.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0] > 0


def wait_until(condition, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {WAIT} s for {what}")
        time.sleep(0.05)


@ON_POSTGRESQL
def test_a_second_claim_waits_for_the_first_write_and_finds_it(components):
    claimed, results = threading.Event(), {}

    def first() -> None:
        try:
            with transaction.atomic():
                results["first"] = claim()
                claimed.set()
                wait_until(blocked_on_a_lock, "the second claim to wait on the first")
                incident = services.declare_incident(name="API is down", body="Investigating.")
                services.record_idempotent_result(results["first"], result=incident)
        finally:
            connections.close_all()

    def second() -> None:
        try:
            assert claimed.wait(WAIT)
            with transaction.atomic():
                results["second"] = claim()
                results["found"] = selectors.idempotency_key(owner="user:1", key="k1")
        finally:
            connections.close_all()

    run_together(first, second)

    assert results["first"] is not None and results["second"] is None
    assert results["found"].result_id == str(Incident.objects.get().pk)
    assert IdempotencyKey.objects.count() == 1


@ON_POSTGRESQL
def test_a_second_claim_takes_the_key_when_the_first_write_fails():
    claimed, results = threading.Event(), {}

    def first() -> None:
        try:
            with pytest.raises(RuntimeError), transaction.atomic():
                results["first"] = claim()
                claimed.set()
                wait_until(blocked_on_a_lock, "the second claim to wait on the first")
                raise RuntimeError("the write failed")
        finally:
            connections.close_all()

    def second() -> None:
        try:
            assert claimed.wait(WAIT)
            with transaction.atomic():
                results["second"] = claim()
        finally:
            connections.close_all()

    run_together(first, second)

    assert results["first"] is not None and results["second"] is not None
    assert IdempotencyKey.objects.get().pk == results["second"].pk


@ON_POSTGRESQL
def test_one_declaration_when_a_form_is_submitted_twice_at_once(admin_user, components):
    """Two submissions of one console form racing each other: one incident; one answer sends
    the engineer on to the list as usual, the other to the incident it made."""
    clients = [ConsoleClient(), ConsoleClient()]
    for client in clients:
        client.force_login(admin_user)
    data = form_data(clients[0].get(DECLARE_URL), "incident_form")
    data |= {"name": "API is down", "body": "Investigating."}
    start, locations = threading.Barrier(2), []

    def submit(client: ConsoleClient) -> None:
        try:
            start.wait(WAIT)
            response = client.post(DECLARE_URL, data)
            locations.append((response.status_code, response["Location"]))
        finally:
            connections.close_all()

    run_together(*(lambda client=client: submit(client) for client in clients))

    incident = Incident.objects.get()
    # Both land on the one incident's page: the first as declared, the other as a repeat.
    assert locations == [(302, f"/admin/incidents/incident/{incident.pk}/change/")] * 2
    assert incident.updates.count() == 1


def run_together(*functions) -> None:
    errors: list[BaseException] = []

    def run(function) -> None:
        try:
            function()
        except BaseException as error:  # reported by the test's thread below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(f,)) for f in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT * 2)
    assert not any(thread.is_alive() for thread in threads)
    if errors:
        raise errors[0]
