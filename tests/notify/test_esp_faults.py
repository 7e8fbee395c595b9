"""The e-mail channel through an ESP (django-anymail's Postmark backend, the real one) whose
API is a fake on 127.0.0.1: an error answer is a refusal (5xx and 429 retried, an inactive
recipient failed for good), a connection refused is retried, a request with no answer may
have been sent (`unknown`)."""

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from notify.channels.base import Envelope, PermanentError, RetryableError, UnknownOutcome
from notify.channels.email import EmailChannel
from notify.channels.mime import EmailContent, PreparedEmail

MESSAGE = EmailContent(subject="[Acme] Elevated API errors", text="A bad deploy.\n", html="<p/>")
HANG = (0, {})


class FakePostmark:
    """Postmark's /email endpoint: answers `self.answer` (status, JSON), or hangs (HANG)."""

    def __init__(self):
        self.answer: tuple[int, dict] = (200, {})
        self.received: list[dict] = []
        self.released = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.received.append(body)
                status, payload = fake.answer
                if (status, payload) == HANG:
                    fake.released.wait(30)
                    return
                payload = payload or {"To": body["To"], "MessageID": "m-1", "ErrorCode": 0}
                data = json.dumps({"Message": "OK", **payload}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.released.set()
        self.server.shutdown()
        self.server.server_close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def esp(settings):
    with FakePostmark() as fake:
        settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
        settings.ANYMAIL = {
            "POSTMARK_SERVER_TOKEN": "server-token",
            "POSTMARK_API_URL": fake.url,
            "REQUESTS_TIMEOUT": 1,
        }
        yield fake


def send(address: str = "ann@example.com") -> str:
    channel = EmailChannel()
    try:
        envelope = Envelope(address=address, idempotency_key="k", unsubscribe_url="u")
        return channel.send(PreparedEmail(MESSAGE, "status@example.com"), envelope)
    finally:
        channel.close()


def failure() -> tuple[type, str]:
    with pytest.raises((PermanentError, RetryableError, UnknownOutcome)) as raised:
        send()
    return type(raised.value), str(raised.value)


def test_a_message_the_esp_takes_is_named_by_its_id(esp):
    assert send() == "m-1"


@pytest.mark.parametrize(
    ("status", "kind"),
    [(503, RetryableError), (500, RetryableError), (429, RetryableError), (401, RetryableError)],
)
def test_an_esp_in_trouble_is_retried(esp, status, kind):
    esp.answer = (status, {"ErrorCode": 100, "Message": "Maintenance"})
    got, error = failure()
    assert (got, error.startswith(f"ESP HTTP {status}: ")) == (kind, True)
    assert "Maintenance" in error


def test_an_inactive_recipient_fails_for_good(esp):
    esp.answer = (
        422,
        {
            "ErrorCode": 406,
            "Message": "You tried to send to recipient(s) that have been marked as inactive. "
            "Found inactive addresses: ann@example.com. Inactive recipients are ones that "
            "have generated a hard bounce or a spam complaint.",
        },
    )
    got, error = failure()
    assert (got, error.startswith("the ESP refused the address: ")) == (PermanentError, True)


def test_an_esp_out_of_reach_is_retried(esp, settings):
    settings.ANYMAIL = {
        **settings.ANYMAIL,
        "POSTMARK_API_URL": f"http://127.0.0.1:{closed_port()}/",
    }
    got, error = failure()
    assert (got, error.startswith("could not reach the ESP: ")) == (RetryableError, True)
    assert "Connection refused" in error


def test_an_esp_that_took_the_request_and_never_answered_is_unknown(esp):
    esp.answer = HANG
    got, error = failure()
    assert got is UnknownOutcome
    assert error.startswith("no answer from the ESP after the message was sent: ")
    assert "Read timed out. (read timeout=1)" in error
    assert len(esp.received) == 1
