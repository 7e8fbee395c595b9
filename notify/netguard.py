"""Outbound HTTP to URLs that subscribers typed in (webhook and Slack targets), only to where
notify.netpolicy allows.

A host name may resolve to a public address for a check and to 127.0.0.1 for the connection
that follows (DNS rebinding), and a receiver may try to hold a worker. So:

- the URL is checked (netpolicy.check_url), the host is resolved once, every address is
  checked (netpolicy.address_refusal), and the socket connects to a checked address by number:
  nothing is resolved again between the check and the connect;
- a redirect is never followed; the whole exchange has NOROSHI_WEBHOOK_TIMEOUT_SECONDS (a timer
  cuts the connection when they run out, so a receiver trickling bytes cannot hold a worker);
  at most NOROSHI_WEBHOOK_MAX_RESPONSE_BYTES of the answer are read.

The errors say what is known about the request: netpolicy.Refused (by its rules, before
connecting), NotDelivered (nothing complete reached the receiver: safe to retry), NoAnswer (the
request was sent, then no answer: it may have been received), RedirectRefused (a 3xx). What
only operators read (a delivery's error) stays in English.
"""

import http.client
import socket
import ssl
import threading
import time
from contextlib import suppress
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.http import parse_http_date_safe

from notify.netpolicy import BlockedAddress, NetGuardError, Target, address_refusal, check_url

READ_CHUNK = 16384


class NotDelivered(NetGuardError):
    """Name resolution, connect, TLS or sending failed: the receiver did not get the request."""


class NoAnswer(NetGuardError):
    """The request was sent, then the connection broke or timed out before an answer."""


class RedirectRefused(NetGuardError):
    """The receiver answered with a redirect, which is never followed."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Response:
    status: int
    reason: str
    headers: dict[str, str]
    body: bytes
    truncated: bool

    def excerpt(self, limit: int = 200) -> str:
        """The start of the body as printable text (for error messages)."""
        text = self.body[:limit].decode("utf-8", "replace")
        return "".join(c if c.isprintable() else " " for c in text).strip()

    def retry_after(self, now: float | None = None) -> float | None:
        """The seconds the Retry-After header asks to wait — given as seconds or as an HTTP
        date (a date already past: 0) — or None when there is none or it cannot be read."""
        value = self.headers.get("retry-after", "").strip()
        if value.isascii() and value.isdigit():
            return float(value)
        when = parse_http_date_safe(value) if value else None
        if when is None:
            return None
        return max(0.0, when - (time.time() if now is None else now))


# --- Connections ------------------------------------------------------------------------------


class Budget:
    """The time of one exchange: each step gets what is left, and a timer cuts the connection
    when nothing is (a socket timeout alone bounds each read, not their sum)."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self.sock: socket.socket | None = None
        self.expired = threading.Event()
        self.timer = threading.Timer(seconds, self.cut)
        self.timer.daemon = True
        self.timer.start()

    def left(self) -> float:
        return max(self.ends - time.monotonic(), 0.001)

    def watch(self, sock: socket.socket) -> None:
        self.sock = sock

    def cut(self) -> None:
        self.expired.set()
        if self.sock is not None:
            with suppress(OSError):
                # The plain socket's shutdown: SSLSocket's would drop its TLS object under the
                # reading thread's feet.
                socket.socket.shutdown(self.sock, socket.SHUT_RDWR)

    def cancel(self) -> None:
        self.timer.cancel()


def checked_socket(host: str, port: int, budget: Budget) -> socket.socket:
    """A TCP connection to `host`, made by number to an address that passed the checks."""
    errors = []
    for family, sockaddr in permitted_addresses(host, port):
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.settimeout(budget.left())
        try:
            sock.connect(sockaddr)
        except OSError as error:
            sock.close()
            errors.append(f"{sockaddr[0]}: {error}")
            continue
        budget.watch(sock)
        return sock
    raise NotDelivered(f"Could not connect to {host}: {'; '.join(errors)}.")


def permitted_addresses(host: str, port: int) -> list[tuple[int, tuple]]:
    """Every address of `host` that may be connected to; BlockedAddress when there is none."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise NotDelivered(f"{host} could not be resolved: {error.strerror}.") from error
    permitted: list[tuple[int, tuple]] = []
    refusals = []
    for family, _type, _proto, _name, sockaddr in infos:
        refusal = address_refusal(host, str(sockaddr[0]))
        if refusal:
            refusals.append(refusal)
        elif (family, sockaddr) not in permitted:
            permitted.append((family, sockaddr))
    if not permitted:
        raise BlockedAddress(refusals[0] if refusals else f"{host} has no address.")
    return permitted


class GuardedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, target: Target, budget: Budget):
        super().__init__(target.host, target.port, timeout=budget.left())
        self.budget = budget

    def connect(self) -> None:
        self.sock = checked_socket(self.host, self.port, self.budget)


class GuardedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, target: Target, budget: Budget):
        self.tls = tls_context(settings.NOROSHI_WEBHOOK_CA_BUNDLE or "")
        super().__init__(target.host, target.port, timeout=budget.left(), context=self.tls)
        self.budget = budget

    def connect(self) -> None:
        sock = checked_socket(self.host, self.port, self.budget)
        try:
            self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise
        self.budget.watch(self.sock)


@lru_cache(maxsize=8)
def tls_context(ca_bundle: str) -> ssl.SSLContext:
    """Verified TLS against `ca_bundle` (a PEM file) or, when empty, the system's store."""
    try:
        context = ssl.create_default_context(cafile=ca_bundle or None)
    except OSError as error:
        raise ImproperlyConfigured(f"NOROSHI_WEBHOOK_CA_BUNDLE: {ca_bundle}: {error}") from error
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


# --- The exchange -----------------------------------------------------------------------------


def post(url: str, body: bytes, headers: dict[str, str]) -> Response:
    """POST `body` to `url` under the rules above and return the (capped) answer.

    Raises netpolicy.Refused, NotDelivered, NoAnswer or RedirectRefused, each with a message
    that says what happened."""
    target = check_url(url)
    budget = Budget(float(settings.NOROSHI_WEBHOOK_TIMEOUT_SECONDS))
    connection: http.client.HTTPConnection | None = None
    try:
        connection = guarded_connection(target, budget)
        connect(connection, target)
        send(connection, target, body, headers)
        response = answer(connection, target, budget)
    finally:
        budget.cancel()
        if connection is not None:
            connection.close()
    if 300 <= response.status < 400:
        location = response.headers.get("location", "")
        raise RedirectRefused(
            f"{target.host} answered {response.status} (a redirect to “{location[:200]}”); "
            "redirects are not followed.",
            response.status,
        )
    return response


def guarded_connection(target: Target, budget: Budget) -> http.client.HTTPConnection:
    if target.scheme == "https":
        return GuardedHTTPSConnection(target, budget)
    return GuardedHTTPConnection(target, budget)


def connect(connection: http.client.HTTPConnection, target: Target) -> None:
    try:
        connection.connect()
    except ssl.SSLCertVerificationError as error:
        raise NotDelivered(
            f"The certificate of {target.host} is not trusted: {error.verify_message}."
        ) from error
    except ssl.SSLError as error:
        raise NotDelivered(f"TLS with {target.host} failed: {error.reason or error}.") from error
    except OSError as error:  # a timeout is an OSError too
        raise NotDelivered(f"Could not connect to {target.host}: {error}.") from error


def send(connection: http.client.HTTPConnection, target: Target, body: bytes, headers) -> None:
    try:
        connection.request(
            "POST", target.path, body=body, headers={**headers, "Connection": "close"}
        )
    except OSError as error:
        # Some of the request never left: the receiver cannot have a complete one.
        raise NotDelivered(
            f"The connection to {target.host} broke while sending: {error}."
        ) from error


def answer(connection: http.client.HTTPConnection, target: Target, budget: Budget) -> Response:
    late = NoAnswer(f"No answer from {target.host} within {budget.seconds:g} s.")
    try:
        response = connection.getresponse()
    except (OSError, http.client.HTTPException) as error:
        if budget.expired.is_set() or isinstance(error, TimeoutError):
            raise late from error
        message = f"{target.host} closed the connection without answering ({error!r})."
        raise NoAnswer(message) from error
    if budget.expired.is_set():
        raise late  # the cut ended the headers: what was parsed is not the whole answer
    body, truncated = read_capped(response, int(settings.NOROSHI_WEBHOOK_MAX_RESPONSE_BYTES))
    headers = {name.lower(): value for name, value in response.getheaders()}
    return Response(response.status, response.reason, headers, body, truncated)


def read_capped(response: http.client.HTTPResponse, cap: int) -> tuple[bytes, bool]:
    """At most `cap` bytes of the body, and whether there was more (the rest is never read).
    A body cut off after the headers keeps what arrived: the status is the answer."""
    chunks: list[bytes] = []
    size = 0
    with suppress(OSError, http.client.HTTPException):
        while size <= cap:
            chunk = response.read(min(READ_CHUNK, cap + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    body = b"".join(chunks)
    return body[:cap], size > cap
