"""SMTP or the e-mail provider down while a real worker sends an announcement to fifty
subscribers, through a TCP proxy in front of a real SMTP sink: refusing connections, hung,
answering 421/451 for a while, refusing one address for good.

What must hold: the public page answers 200 throughout; a message the server refused, or that
never reached it, is retried with backoff — however many tries an outage shorter than a day
takes — and sent once the server is back, with no operator;
a permanent refusal fails that delivery with the server's own words; a message whose DATA was
never answered is `unknown` (the server may have it) and never sent again; nobody gets two; the
console's delivery log shows each error while it lasts."""

import time

import pytest

from notify.models import Delivery
from tests.e2e.conftest import settled, wait_for
from tests.e2e.faults import (
    Watch,
    all_waiting,
    announce,
    assert_backed_off,
    assert_delivery_log_shows,
    assert_public_page_answers,
    email_subscribers,
    errors,
    quiet_incident,
    running_worker,
)
from tests.e2e.tcp_proxy import TcpProxy

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

COUNT = 50
REFUSED = "could not connect: [Errno 111] Connection refused"
HUNG = "could not connect: Connection unexpectedly closed: timed out"


@pytest.fixture
def smtp_proxy(sink):
    proxy = TcpProxy("127.0.0.1", sink.port).start()
    try:
        yield proxy
    finally:
        proxy.shutdown()


def smtp_env(port: int) -> dict[str, str]:
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "EMAIL_TIMEOUT": "2",
    }


def assert_each_got_one(sink, addresses: list[str], *, failed: str = "") -> None:
    """Every subscriber but `failed` got exactly one message, and its delivery is `sent`."""
    delivered = [a for a in addresses if a != failed]
    assert sink.sink.per_recipient() == dict.fromkeys(delivered, 1)
    states = dict(Delivery.objects.values_list("subscriber__address", "state"))
    assert states == {a: "failed" if a == failed else "sent" for a in addresses}


def test_smtp_refusing_connections_delays_the_messages_and_sends_each_once(
    tmp_path, worker_queue, sink, smtp_proxy, client, admin_client
):
    addresses = email_subscribers(COUNT)
    bad = addresses[13]
    sink.sink.refuse[bad] = "550 5.1.1 No such user"
    incident = quiet_incident()
    smtp_proxy.cut()
    with running_worker(tmp_path, worker_queue, smtp_env(smtp_proxy.port)) as worker:
        announce(incident)
        refused_twice = all_waiting(COUNT, attempts=2)
        wait_for(refused_twice, "every delivery to be refused twice", worker)
        assert errors(refused_twice.seen) == {REFUSED}
        assert_backed_off()
        assert_public_page_answers(client)
        assert_delivery_log_shows(admin_client, "pending", REFUSED)
        assert sink.messages == []

        smtp_proxy.restore()
        wait_for(settled, "every delivery to settle once SMTP is back", worker)
        time.sleep(2)  # anything still in flight would land now
    assert_each_got_one(sink, addresses, failed=bad)
    refusal = Delivery.objects.get(subscriber__address=bad).error
    assert refusal == "SMTP 550 after RCPT TO: 5.1.1 No such user"
    assert_delivery_log_shows(admin_client, "failed", refusal)
    assert_public_page_answers(client)


def test_a_hung_smtp_server_is_given_up_after_email_timeout_and_retried(
    tmp_path, worker_queue, sink, smtp_proxy, client, admin_client
):
    """Connections accepted and never answered: nothing was sent, so a retry."""
    addresses = email_subscribers(COUNT)
    incident = quiet_incident()
    smtp_proxy.blackhole()
    with running_worker(tmp_path, worker_queue, smtp_env(smtp_proxy.port)) as worker:
        announce(incident)
        timed_out = all_waiting(COUNT, attempts=1)
        wait_for(timed_out, "every delivery to time out once", worker)
        assert errors(timed_out.seen) == {HUNG}
        assert_backed_off()
        assert_public_page_answers(client)
        assert_delivery_log_shows(admin_client, "pending", HUNG)

        smtp_proxy.restore()
        wait_for(settled, "every delivery to settle once SMTP answers", worker)
        time.sleep(2)
    assert_each_got_one(sink, addresses)


def test_a_message_whose_data_is_never_answered_is_unknown_and_never_sent_again(
    tmp_path, worker_queue, sink, admin_client
):
    """The server took the message and hung before its reply: it may deliver it, so the
    delivery waits `unknown` for an operator; the other messages go on, each once."""
    addresses = email_subscribers(COUNT)
    hung = addresses[7]
    sink.sink.hang.add(hung)
    incident = quiet_incident()
    with running_worker(tmp_path, worker_queue, smtp_env(sink.port)) as worker:
        announce(incident)
        wait_for(settled, "every delivery to settle", worker)
        time.sleep(3)  # past the sweep and any retry: nothing more may go out
    assert sink.sink.per_recipient() == dict.fromkeys(addresses, 1)
    states = dict(Delivery.objects.values_list("subscriber__address", "state"))
    assert states == {a: "unknown" if a == hung else "sent" for a in addresses}
    lost = Delivery.objects.get(subscriber__address=hung)
    assert lost.error == (
        "connection lost after the message was sent: Connection unexpectedly closed: timed out"
    )
    assert (lost.attempts, lost.finished_at is not None) == (1, True)
    assert_delivery_log_shows(admin_client, "unknown", lost.error)


def test_a_server_answering_421_then_451_delays_every_message_and_sends_each_once(
    tmp_path, worker_queue, sink, client, admin_client
):
    """421 closes the connection (the next message reconnects); 451 refuses the message after
    its DATA. Neither took anything: both are retried."""
    addresses = email_subscribers(COUNT)
    incident = quiet_incident()
    closing = "421 4.3.2 Service shutting down"
    busy = "451 4.3.0 Mailbox temporarily unavailable"
    closing_error = "SMTP 421 after MAIL FROM: 4.3.2 Service shutting down"
    sink.sink.answers["MAIL"] = closing
    with running_worker(tmp_path, worker_queue, smtp_env(sink.port)) as worker:
        announce(incident)
        first = all_waiting(COUNT, attempts=1)
        wait_for(first, "every delivery to be refused once", worker)
        assert errors(first.seen) == {closing_error}
        assert_delivery_log_shows(admin_client, "pending", closing_error)

        sink.sink.answers = {"DATA": busy}
        again = Watch(
            lambda seen: (
                len(seen) == COUNT
                and all(e.startswith("SMTP 451") for _, s, _, e in seen if s == "pending")
                and all(s == "pending" for _, s, _, _ in seen)
            )
        )
        wait_for(again, "every delivery to be refused with 451", worker)
        assert errors(again.seen) == {"SMTP 451 after DATA: 4.3.0 Mailbox temporarily unavailable"}
        assert_backed_off()
        assert_public_page_answers(client)
        assert sink.messages == []

        sink.sink.answers = {}
        wait_for(settled, "every delivery to settle once the server recovers", worker)
        time.sleep(2)
    assert_each_got_one(sink, addresses)


def test_an_smtp_outage_longer_than_the_retry_budget_still_ends_with_every_message_sent(
    tmp_path, worker_queue, sink, smtp_proxy
):
    """Refused sends are retried until the give-up age (a day), not for five tries: with a
    one-second backoff every delivery is refused well past five times and none gives up; once
    SMTP is back each subscriber gets the message once. (The give-up itself, after the age:
    tests/notify/test_retry_give_up.py.)"""
    addresses = email_subscribers(COUNT)
    incident = quiet_incident()
    smtp_proxy.cut()
    env = {**smtp_env(smtp_proxy.port), "NOROSHI_RETRY_MAX_SECONDS": "1"}
    with running_worker(tmp_path, worker_queue, env) as worker:
        announce(incident)
        past_the_old_budget = all_waiting(COUNT, attempts=8)
        given_up = Delivery.objects.filter(state="failed")

        def refused_or_given_up() -> bool:  # a give-up ends the wait: the test fails at once
            return past_the_old_budget() or given_up.exists()

        wait_for(refused_or_given_up, "every delivery to be refused 8 times", worker)
        assert dict(given_up.values_list("id", "error")) == {}
        assert errors(past_the_old_budget.seen) == {REFUSED}
        assert sink.messages == []

        smtp_proxy.restore()
        wait_for(settled, "every delivery to settle once SMTP is back", worker)
        time.sleep(2)
    assert dict(Delivery.objects.filter(state="failed").values_list("id", "error")) == {}
    assert_each_got_one(sink, addresses)
