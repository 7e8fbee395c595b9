"""Outbound HTTP to URLs that subscribers typed in (webhook and Slack targets).

A URL from the public is an attack on our own network until shown otherwise (SSRF): it may
name 169.254.169.254, a database port on 10.0.0.5, or a host name whose DNS answers a public
address to a check and 127.0.0.1 to the connection that follows (DNS rebinding). So:

- https only (http only to hosts on the allow-list), no user name or password in the URL;
- the host is resolved once, every address is checked, and the socket connects to a checked
  address by number: nothing is resolved again between the check and the connect;
- private, loopback, link-local, multicast, reserved, unspecified and other non-public
  addresses are refused (IPv4 inside IPv6 — mapped, 6to4, NAT64 — is checked as IPv4), unless
  NOROSHI_WEBHOOK_ALLOW_NETWORKS lists them;
- a redirect is never followed; the whole exchange has NOROSHI_WEBHOOK_TIMEOUT_SECONDS (a timer
  cuts the connection when they run out, so a receiver trickling bytes cannot hold a worker);
  at most NOROSHI_WEBHOOK_MAX_RESPONSE_BYTES of the answer are read.

The errors say what is known about the request: Refused (by these rules, before connecting),
NotDelivered (nothing complete reached the receiver: safe to retry), NoAnswer (the request was
sent, then no answer: it may have been received), RedirectRefused (a 3xx). Why a URL or an
address is refused is told to visitors of the subscribe page, so it is in the active language;
what only operators read (a delivery's error) stays in English.
"""

import http.client
import ipaddress
import re
import socket
import ssl
import threading
import time
from contextlib import suppress
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import SplitResult, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.http import parse_http_date_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MAX_URL_LENGTH = 500
READ_CHUNK = 16384
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
LABEL = r"[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?"
HOST_NAME = re.compile(rf"^(?=.{{1,253}}$){LABEL}(\.{LABEL})*\.?$")
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
# Checked in this order: the first that applies names the refusal (127.0.0.1 is also private).
ADDRESS_KINDS = (
    ("is_unspecified", gettext_lazy("an unspecified address")),
    ("is_loopback", gettext_lazy("a loopback address")),
    ("is_link_local", gettext_lazy("a link-local address")),
    ("is_multicast", gettext_lazy("a multicast address")),
    ("is_reserved", gettext_lazy("a reserved address")),
    ("is_private", gettext_lazy("a private address")),
)


class NetGuardError(Exception):
    """A request that did not get a usable answer; the message says why."""


class Refused(NetGuardError):
    """Refused by the rules above, before any connection was made."""


class UnsafeURL(Refused):
    """The URL itself is refused (scheme, credentials, length, a forbidden IP literal)."""


class BlockedAddress(Refused):
    """The host resolves only to addresses that are never connected to."""


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
class Target:
    """A checked URL, split for the connection."""

    scheme: str
    host: str
    port: int
    path: str
    url: str


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


# --- The allow-list ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AllowList:
    networks: tuple[Network, ...]
    names: frozenset[str]

    def permits(self, host: str, address: IPAddress | None = None) -> bool:
        if host.lower().rstrip(".") in self.names:
            return True
        candidates = [a for a in (address, embedded_ipv4(address)) if a is not None]
        return any(a in network for a in candidates for network in self.networks)


def allow_list() -> AllowList:
    entries = settings.NOROSHI_WEBHOOK_ALLOW_NETWORKS
    if isinstance(entries, str):
        entries = entries.split(",")
    return parsed_allow_list(tuple(e.strip() for e in entries if e.strip()))


@lru_cache(maxsize=16)
def parsed_allow_list(entries: tuple[str, ...]) -> AllowList:
    networks: list[Network] = []
    names: set[str] = set()
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            if "/" in entry or not HOST_NAME.match(entry.lower()):
                raise ImproperlyConfigured(
                    f"NOROSHI_WEBHOOK_ALLOW_NETWORKS: “{entry}” is neither a network "
                    "(e.g. 10.1.0.0/16) nor a host name."
                ) from None
            names.add(entry.lower().rstrip("."))
    return AllowList(networks=tuple(networks), names=frozenset(names))


# --- Addresses --------------------------------------------------------------------------------


def embedded_ipv4(address: IPAddress | None) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (IPv4-mapped, 6to4, NAT64), if any."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_kind(address: IPAddress) -> str:
    """What makes `address` unfit to connect to ('' for a public address)."""
    inner = embedded_ipv4(address)
    if inner is not None:
        kind = address_kind(inner)
        if not kind:
            return ""
        return _("%(kind)s (IPv4 %(address)s inside IPv6)") % {"kind": kind, "address": inner}
    for attribute, label in ADDRESS_KINDS:
        if getattr(address, attribute):
            return str(label)
    return "" if address.is_global else _("not a public address")


def address_refusal(host: str, address_text: str) -> str:
    """Why `host`, at `address_text`, must not be connected to ('' when it may)."""
    address = ipaddress.ip_address(address_text)
    kind = address_kind(address)
    if not kind or allow_list().permits(host, address):
        return ""
    if host == address_text or ipaddress_or_none(host) == address:
        return _("%(address)s is %(kind)s.") % {"address": address_text, "kind": kind}
    return _("%(host)s resolves to %(address)s, %(kind)s.") % {
        "host": host,
        "address": address_text,
        "kind": kind,
    }


def ipaddress_or_none(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


# --- URLs -------------------------------------------------------------------------------------


def check_url(url: str) -> Target:
    """Split `url` for a request; UnsafeURL when the rules refuse it (no DNS is asked)."""
    allowed = allow_list()
    parts, port = split_url(url)
    host = (parts.hostname or "").rstrip(".")
    if parts.scheme not in ("https", "http") or not host:
        raise UnsafeURL(_("“%(url)s” is not an https URL.") % {"url": url})
    if parts.username is not None or parts.password is not None:
        raise UnsafeURL(_("The URL must not contain a user name or password."))
    literal = ipaddress_or_none(host)
    if parts.scheme == "http" and not allowed.permits(host, literal):
        raise UnsafeURL(_("“%(url)s” is not an https URL: only https is allowed.") % {"url": url})
    if literal is not None and (refusal := address_refusal(host, host)):
        raise UnsafeURL(refusal)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    canonical = parts._replace(netloc=parts.netloc.lower(), fragment="").geturl()
    default_port = 443 if parts.scheme == "https" else 80
    return Target(parts.scheme, host, port or default_port, path, canonical)


def split_url(url: str) -> tuple[SplitResult, int | None]:
    if len(url) > MAX_URL_LENGTH:
        raise UnsafeURL(
            _("The URL is longer than %(limit)s characters.") % {"limit": MAX_URL_LENGTH}
        )
    if not url.isascii() or any(c <= " " or c == "\x7f" for c in url):
        raise UnsafeURL(
            _(
                "The URL must be ASCII without spaces (write international host names as "
                "xn--…, other characters as %XX)."
            )
        )
    try:
        parts = urlsplit(url)
        return parts, parts.port
    except ValueError as error:
        # urllib's reason (e.g. "Port out of range 0-65535") has no translation.
        raise UnsafeURL(
            _("“%(url)s” is not a valid URL: %(reason)s.") % {"url": url, "reason": error}
        ) from error


def normalised_url(url: str) -> str:
    """`url` in its stored form (scheme and host lower-case, no fragment); UnsafeURL if
    refused."""
    return check_url((url or "").strip()).url


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

    Raises Refused, NotDelivered, NoAnswer or RedirectRefused, each with a message that says
    what happened."""
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
