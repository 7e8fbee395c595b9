"""The e-mail channel against an SMTP server in trouble (a real sink behind a real TCP proxy):
what it knows of each message decides its error — an answer is a refusal, a connection lost
before DATA sent nothing (retried), one lost after DATA may have delivered (unknown) — and a
server that cannot be reached costs the batch one try, not one per message."""

import pytest

from notify.channels.base import Envelope, PermanentError, RetryableError, UnknownOutcome
from notify.channels.email import EmailChannel
from notify.channels.mime import EmailContent, PreparedEmail
from tests.e2e.tcp_proxy import TcpProxy
from tests.smtp_sink import SmtpSink

MESSAGE = EmailContent(subject="[Acme] Elevated API errors", text="A bad deploy.\n", html="<p/>")


def envelope(address: str) -> Envelope:
    return Envelope(address=address, idempotency_key=f"key-{address}", unsubscribe_url="u")


@pytest.fixture
def sink():
    with SmtpSink() as running:
        yield running


@pytest.fixture
def proxy(sink, settings):
    """Django's SMTP backend pointed at the sink through a proxy the test can cut."""
    proxy = TcpProxy("127.0.0.1", sink.port).start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", proxy.port
    settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = False, 1
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield proxy
    finally:
        proxy.shutdown()


@pytest.fixture
def channel():
    channel = EmailChannel()
    try:
        yield channel
    finally:
        channel.close()


def send(channel: EmailChannel, address: str) -> str:
    return channel.send(PreparedEmail(MESSAGE, "status@example.com"), envelope(address))


def failure(channel: EmailChannel, address: str) -> tuple[type, str]:
    with pytest.raises((PermanentError, RetryableError, UnknownOutcome)) as raised:
        send(channel, address)
    return type(raised.value), str(raised.value)


def test_a_connection_cut_between_messages_is_a_retry_and_the_next_one_reconnects(
    proxy, sink, channel
):
    send(channel, "ann@example.com")
    proxy.cut()  # the server restarts between two messages
    proxy.restore()
    kind, error = failure(channel, "ben@example.com")
    assert kind is RetryableError
    assert error.startswith("connection lost before the message was sent: ")
    send(channel, "chie@example.com")
    assert sink.sink.per_recipient() == {"ann@example.com": 1, "chie@example.com": 1}


def test_a_421_closes_the_connection_and_the_next_message_opens_another(proxy, sink, channel):
    sink.sink.answers["MAIL"] = "421 4.3.2 Service shutting down"
    assert failure(channel, "ann@example.com") == (
        RetryableError,
        "SMTP 421 after MAIL FROM: 4.3.2 Service shutting down",
    )
    sink.sink.answers.clear()
    send(channel, "ben@example.com")
    assert sink.sink.per_recipient() == {"ben@example.com": 1}


@pytest.mark.parametrize(
    ("phase", "reply", "kind", "command"),
    [
        ("DATA", "451 4.3.0 Try again later", RetryableError, "DATA"),
        ("DATA", "554 5.7.1 Rejected as spam", PermanentError, "DATA"),
        ("MAIL", "452 4.3.1 Out of storage", RetryableError, "MAIL FROM"),
    ],
)
def test_a_refusal_keeps_the_connection_for_the_next_message(
    proxy, sink, channel, phase, reply, kind, command
):
    sink.sink.answers[phase] = reply
    code, text = reply.split(" ", 1)
    assert failure(channel, "ann@example.com") == (kind, f"SMTP {code} after {command}: {text}")
    sink.sink.answers.clear()
    send(channel, "ben@example.com")
    assert sink.sink.per_recipient() == {"ben@example.com": 1}


def test_a_refused_recipient_fails_for_good_with_the_servers_words(proxy, sink, channel):
    sink.sink.refuse["nobody@example.com"] = "550 5.1.1 No such user"
    assert failure(channel, "nobody@example.com") == (
        PermanentError,
        "SMTP 550 after RCPT TO: 5.1.1 No such user",
    )
    send(channel, "ann@example.com")
    assert sink.sink.per_recipient() == {"ann@example.com": 1}


def test_no_answer_after_data_is_unknown(proxy, sink, channel):
    sink.sink.hang.add("ann@example.com")
    kind, error = failure(channel, "ann@example.com")
    assert (kind, error) == (
        UnknownOutcome,
        "connection lost after the message was sent: Connection unexpectedly closed: timed out",
    )
    assert sink.sink.per_recipient() == {"ann@example.com": 1}  # the server had it
    send(channel, "ben@example.com")  # on a new connection
    assert sink.sink.per_recipient() == {"ann@example.com": 1, "ben@example.com": 1}


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("cut", "could not connect: [Errno 111] Connection refused"),
        ("blackhole", "could not connect: Connection unexpectedly closed: timed out"),
    ],
)
def test_a_server_out_of_reach_is_tried_once_per_batch(proxy, sink, channel, fault, error):
    getattr(proxy, fault)()
    assert failure(channel, "ann@example.com") == (RetryableError, error)
    proxy.restore()
    # The rest of the batch is given back untried, with the same reason; a new batch tries.
    assert failure(channel, "ben@example.com") == (RetryableError, error)
    fresh = EmailChannel()
    try:
        send(fresh, "chie@example.com")
    finally:
        fresh.close()
    assert sink.sink.per_recipient() == {"chie@example.com": 1}
