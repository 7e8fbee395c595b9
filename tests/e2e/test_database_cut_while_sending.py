"""The database cut while a real worker sends an announcement: the worker reaches PostgreSQL
through a TCP proxy that the test cuts for a few seconds, then restores on the same port.

What must hold: nobody gets the message twice; nothing is lost (every subscriber got it, or
its delivery is `unknown` for an operator); everything else is delivered once the database is
back, with no operator; and only the messages in flight at the cut (one per worker process)
end `unknown`. SQLite has no server to cut: skipped there (CI runs it on PostgreSQL)."""

import time

import pytest
from django.db import connection

from notify.models import Delivery
from tests.e2e.conftest import database_url, settled, wait_for
from tests.e2e.faults import announce, email_subscribers, quiet_incident, running_worker
from tests.e2e.tcp_proxy import TcpProxy

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

COUNT = 600
PROCESSES = 2


@pytest.fixture
def database_proxy(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no server to cut between the worker and its database")
    db = connection.settings_dict
    proxy = TcpProxy(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)).start()
    try:
        yield proxy
    finally:
        proxy.shutdown()


def cut_while_sending(tmp_path, queue: str, sink, proxy: TcpProxy) -> list[str]:
    """Announce to COUNT subscribers, cut the worker's database mid-send for three seconds,
    restore it, and wait until every delivery has settled; the addresses."""
    addresses = email_subscribers(COUNT)
    incident = quiet_incident()
    db = connection.settings_dict
    env = {
        "DATABASE_URL": database_url({**db, "HOST": "127.0.0.1", "PORT": proxy.port}),
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(sink.port),
        "NOROSHI_STUCK_SECONDS": "8",
    }
    with running_worker(tmp_path, queue, env, concurrency=PROCESSES) as worker:
        announce(incident)
        wait_for(lambda: len(sink.messages) >= 100, "sending to be under way", worker)
        proxy.cut()
        time.sleep(3)  # the outage: every statement of the worker and of beat fails
        proxy.restore()
        wait_for(settled, "every delivery to settle once the database is back", worker)
        time.sleep(2)  # anything still in flight would land now
    return addresses


def test_a_database_cut_while_sending_loses_nothing_and_sends_nothing_twice(
    tmp_path, worker_queue, sink, database_proxy
):
    addresses = cut_while_sending(tmp_path, worker_queue, sink, database_proxy)
    received = sink.sink.per_recipient()
    states = dict(Delivery.objects.values_list("subscriber__address", "state"))
    assert max(received.values()) == 1, "someone got the message twice"
    assert set(states.values()) <= {"sent", "unknown"}
    unknown = {a for a, state in states.items() if state == "unknown"}
    assert {a for a, state in states.items() if state == "sent"} <= set(received)
    assert set(addresses) == set(received) | unknown  # told, or left for an operator


def test_a_database_cut_while_sending_leaves_at_most_the_messages_in_flight_unknown(
    tmp_path, worker_queue, sink, database_proxy
):
    cut_while_sending(tmp_path, worker_queue, sink, database_proxy)
    received = sink.sink.per_recipient()
    unknown = set(
        Delivery.objects.filter(state="unknown").values_list("subscriber__address", flat=True)
    )
    assert unknown - set(received) == set(), "never sent, yet left for an operator"
    assert len(unknown) <= PROCESSES
