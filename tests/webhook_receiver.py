"""A real HTTPS server on 127.0.0.1 that keeps every request it receives: the network edge of
the webhook and Slack tests. Its certificate comes from a throw-away CA (trustme); point
NOROSHI_WEBHOOK_CA_BUNDLE at `ca_path` to trust it.

Per path it is told how to answer, request after request (then 200 "ok"): a status and body,
a redirect, hang past the sender's timeout, drop the connection after reading the body, or
send an answer larger than the sender reads. It checks X-Noroshi-Signature when it knows the
path's secret, and `events()` is what a receiver that de-duplicates on Idempotency-Key acts on.
"""

import hashlib
import hmac
import json
import ssl
import tempfile
import threading
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import trustme

HANG_SECONDS = 30


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b"ok"
    headers: tuple[tuple[str, str], ...] = ()
    action: str = "answer"  # answer, hang, drop, oversize or trickle
    size: int = 0


def status(code: int, body: bytes = b"") -> Reply:
    return Reply(status=code, body=body)


def redirect(location: str, code: int = 302) -> Reply:
    return Reply(status=code, body=b"", headers=(("Location", location),))


HANG = Reply(action="hang")
DROP = Reply(action="drop")
# Headers a byte at a time, each well within any socket timeout: only a total budget ends it.
TRICKLE = Reply(action="trickle")


def oversize(size: int) -> Reply:
    return Reply(action="oversize", size=size)


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    signature_ok: bool | None  # None when the path's secret is not known

    def json(self):
        return json.loads(self.body)


def expected_signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"v1={digest.hexdigest()}"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "ReceiverServer"

    def log_message(self, format, *args) -> None:
        pass

    def do_POST(self) -> None:
        receiver = self.server.receiver
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        receiver.record(self.command, self.path, dict(self.headers.items()), body)
        reply = receiver.next_reply(self.path)
        self.close_connection = True
        getattr(self, f"reply_{reply.action}")(reply)

    def reply_answer(self, reply: Reply) -> None:
        self.send_response(reply.status)
        for name, value in reply.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)

    def reply_hang(self, reply: Reply) -> None:
        self.server.receiver.stopping.wait(HANG_SECONDS)

    def reply_drop(self, reply: Reply) -> None:
        pass  # the body was read; the connection closes without a word

    def reply_oversize(self, reply: Reply) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(reply.size))
        self.end_headers()
        chunk = b"x" * 65536
        sent = 0
        try:
            while sent < reply.size:
                self.wfile.write(chunk[: reply.size - sent])
                sent += len(chunk)
        except OSError:
            pass  # the sender stopped reading, as it should

    def reply_trickle(self, reply: Reply) -> None:
        self.wfile.write(b"HTTP/1.1 200 OK\r\n")
        try:
            while not self.server.receiver.stopping.wait(0.05):
                self.wfile.write(b"X")
                self.wfile.flush()
        except OSError:
            pass  # the sender gave up


class ReceiverServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, receiver: "WebhookReceiver"):
        self.receiver = receiver
        super().__init__(("127.0.0.1", 0), Handler)

    def get_request(self):
        request = super().get_request()
        with self.receiver.lock:
            self.receiver.connections += 1
        return request

    def finish_request(self, request, client_address) -> None:
        # TLS in the connection's own thread: a slow or refused handshake blocks nobody.
        try:
            tls = self.receiver.context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        try:
            self.RequestHandlerClass(tls, client_address, self)
        except OSError:
            pass
        finally:
            tls.close()

    def handle_error(self, request, client_address) -> None:
        pass


class WebhookReceiver:
    def __init__(self):
        self.ca = trustme.CA()
        certificate = self.ca.issue_cert("127.0.0.1", "localhost", "::1")
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        certificate.configure_cert(self.context)
        self.folder = tempfile.TemporaryDirectory(prefix="webhook-receiver-")
        self.ca_path = Path(self.folder.name) / "ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_path))
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.requests: list[Received] = []
        self.connections = 0
        self.plans: dict[str, list[Reply]] = {}
        self.secrets: dict[str, str] = {}
        self.server = ReceiverServer(self)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> "WebhookReceiver":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)
        self.folder.cleanup()

    def url(self, path: str) -> str:
        return f"https://127.0.0.1:{self.port}{path}"

    def plan(self, path: str, *replies: Reply) -> None:
        """Answer the next requests to `path` with these replies, in order."""
        with self.lock:
            self.plans.setdefault(path, []).extend(replies)

    def next_reply(self, path: str) -> Reply:
        with self.lock:
            planned = self.plans.get(path)
            return planned.pop(0) if planned else Reply()

    def record(self, method: str, path: str, headers: dict[str, str], body: bytes) -> None:
        headers = {name.lower(): value for name, value in headers.items()}
        with self.lock:
            secret = self.secrets.get(path)
            signature_ok = None
            if secret is not None:
                expected = expected_signature(secret, headers.get("x-noroshi-timestamp", ""), body)
                signature_ok = hmac.compare_digest(expected, headers.get("x-noroshi-signature", ""))
            self.requests.append(Received(method, path, headers, body, signature_ok))

    def received(self, path: str | None = None) -> list[Received]:
        with self.lock:
            return [r for r in self.requests if path is None or r.path == path]

    def per_path(self) -> Counter:
        with self.lock:
            return Counter(r.path for r in self.requests)

    def events(self, path: str) -> list[Received]:
        """What a receiver that drops repeated Idempotency-Keys acts on: the first request of
        each key."""
        seen: set[str] = set()
        firsts = []
        for request in self.received(path):
            key = request.headers.get("idempotency-key", "")
            if key not in seen:
                seen.add(key)
                firsts.append(request)
        return firsts
