"""Where outbound HTTP to URLs that subscribers typed in (webhook and Slack targets) may go.

A URL from the public is an attack on our own network until shown otherwise (SSRF): it may
name 169.254.169.254, a database port on 10.0.0.5, or a host name whose DNS answers a public
address to a check and 127.0.0.1 to the connection that follows (DNS rebinding). So:

- https only (http only to hosts on the allow-list), no user name or password in the URL;
- private, loopback, link-local, multicast, reserved, unspecified and other non-public
  addresses are refused (IPv4 inside IPv6 — mapped, 6to4, NAT64 — is checked as IPv4), unless
  NOROSHI_WEBHOOK_ALLOW_NETWORKS lists them.

Nothing here asks DNS or connects: check_url judges a URL (and a host written as an address);
notify.netguard, which makes the request, judges with address_refusal every address the host
resolves to, and connects only to those. A refusal is Refused: UnsafeURL (the URL) or
BlockedAddress (every address of the host). Why a URL or an address is refused is told to
visitors of the subscribe page, so it is in the active language.
"""

import ipaddress
import re
import socket
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import SplitResult, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MAX_URL_LENGTH = 500
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
LABEL = r"[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?"
HOST_NAME = re.compile(rf"^(?=.{{1,253}}$){LABEL}(\.{LABEL})*\.?$")
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
# A host of one to four numbers (decimal, 0x hex or 0 octal), e.g. 2130706433, 0x7f.1,
# 0177.0.0.1 or 127.1: resolvers (inet_aton) and browsers read it as an IPv4 address.
NUMERIC_HOST = re.compile(r"^(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+)){0,3}$")
# Checked in this order: the first that applies names the refusal (127.0.0.1 is also private).
ADDRESS_KINDS = (
    ("is_unspecified", gettext_lazy("an unspecified address")),
    ("is_loopback", gettext_lazy("a loopback address")),
    ("is_link_local", gettext_lazy("a link-local address")),
    ("is_multicast", gettext_lazy("a multicast address")),
    ("is_reserved", gettext_lazy("a reserved address")),
    ("is_private", gettext_lazy("a private address")),
)


# The root of every error of a guarded request lives here, below notify.netguard (which adds
# the errors of the exchange), so that both modules raise under it without importing each other.
class NetGuardError(Exception):
    """A request that did not get a usable answer; the message says why."""


class Refused(NetGuardError):
    """Refused by the rules above, before any connection was made."""


class UnsafeURL(Refused):
    """The URL itself is refused (scheme, credentials, length, a forbidden IP literal)."""


class BlockedAddress(Refused):
    """The host resolves only to addresses that are never connected to."""


@dataclass(frozen=True)
class Target:
    """A checked URL, split for the connection."""

    scheme: str
    host: str
    port: int
    path: str
    url: str


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


def numeric_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """The IPv4 address a host written in numbers names, as the connection would read it (no
    DNS is asked); None for a host name."""
    if not NUMERIC_HOST.match(host.lower()):
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
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
    literal, spelled = ipaddress_or_none(host), host
    if literal is None and (numeric := numeric_ipv4(host)) is not None:
        literal, spelled = numeric, str(numeric)
    if parts.scheme == "http" and not allowed.permits(host, literal):
        raise UnsafeURL(_("“%(url)s” is not an https URL: only https is allowed.") % {"url": url})
    if literal is not None and (refusal := address_refusal(host, spelled)):
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
