"""How the webhook channel classifies what a receiver answers (or does not): delivered,
retried later, refused for good, or an outcome unknown; and failures to connect or to trust
the certificate, against a real receiver on 127.0.0.1."""

import pytest

from notify.channels.base import Envelope, PermanentError, RetryableError, UnknownOutcome
from notify.channels.webhook import WebhookChannel
from tests.webhook_receiver import DROP, HANG, redirect, status

pytestmark = pytest.mark.django_db

CLASSIFIED = [
    (status(200, b"ok"), None, ""),
    (status(204), None, ""),
    (status(408), RetryableError, "HTTP 408"),
    (status(429, b"slow down"), RetryableError, "HTTP 429: slow down"),
    (status(500), RetryableError, "HTTP 500"),
    (status(503), RetryableError, "HTTP 503"),
    (status(400, b"bad"), PermanentError, "HTTP 400: bad"),
    (status(401), PermanentError, "HTTP 401"),
    (status(404), PermanentError, "HTTP 404"),
    (status(410), PermanentError, "HTTP 410"),
    (redirect("https://example.com/"), PermanentError, "127.0.0.1 answered 302"),
    (redirect("https://example.com/", 308), PermanentError, "127.0.0.1 answered 308"),
    (DROP, UnknownOutcome, "127.0.0.1 closed the connection without answering"),
    (HANG, UnknownOutcome, "No answer from 127.0.0.1 within 0.5 s."),
]


def envelope(url: str) -> Envelope:
    return Envelope(
        address=url,
        idempotency_key="noroshi-1-1",
        unsubscribe_url="https://status.example.com/u",
        secret="s3cret",
    )


@pytest.mark.parametrize(("reply", "error", "message"), CLASSIFIED)
def test_each_answer_is_classified(
    rendered_webhook, webhook_receiver, settings, reply, error, message
):
    settings.NOROSHI_WEBHOOK_TIMEOUT_SECONDS = 0.5
    webhook_receiver.plan("/hook", reply)
    url = webhook_receiver.url("/hook")
    if error is None:
        assert WebhookChannel().send(rendered_webhook, envelope(url)) == ""
    else:
        with pytest.raises(error) as raised:
            WebhookChannel().send(rendered_webhook, envelope(url))
        assert str(raised.value).startswith(message)
    assert len(webhook_receiver.received("/hook")) == 1


def test_connect_and_tls_failures_are_retried_and_refused_addresses_fail(
    rendered_webhook, webhook_receiver, settings, tmp_path
):
    import socket

    import trustme

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    with pytest.raises(RetryableError, match="Connection refused"):
        WebhookChannel().send(rendered_webhook, envelope(f"https://127.0.0.1:{port}/hook"))

    other_ca = tmp_path / "other.pem"
    trustme.CA().cert_pem.write_to_path(str(other_ca))
    settings.NOROSHI_WEBHOOK_CA_BUNDLE = str(other_ca)
    with pytest.raises(RetryableError, match="is not trusted"):
        WebhookChannel().send(rendered_webhook, envelope(webhook_receiver.url("/hook")))

    settings.NOROSHI_WEBHOOK_ALLOW_NETWORKS = []
    with pytest.raises(PermanentError, match=r"^127\.0\.0\.1 is a loopback address\.$"):
        WebhookChannel().send(rendered_webhook, envelope(webhook_receiver.url("/hook")))
    assert webhook_receiver.received() == []
