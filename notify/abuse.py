"""Sign-up limits: what stops the subscribe form being used to flood an inbox or, worse, to pump
SMS (fraudsters sign up premium-rate numbers by the thousand and share the carrier's fee).

Before a sign-up is recorded, one unit of every limit it falls under is taken, all or none, in
Redis (notify.signup_counters; atomic there, so concurrent web processes never both take the
last unit) or, in the embedded mode, in the cache's files. When one is at its limit, nothing is
taken and the sign-up is refused: nothing is written and nothing is sent. When the counters
cannot be reached, the sign-up is refused as well (LimitsUnavailable: the limits fail closed,
as an open door would let SMS pumping through exactly when Redis is down). Counters live in
fixed windows (the clock hour, the UTC day) and expire with them.

The client's address is REMOTE_ADDR unless NOROSHI_TRUSTED_PROXIES says how many proxies of
ours stand in front: X-Forwarded-For is trusted only as far as those proxies wrote it. An IPv6
client is counted by its /64, the block one subscriber line usually gets.
"""

import contextlib
import ipaddress
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.utils.crypto import salted_hmac
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from notify import signup_counters
from notify.choices import Channel

HOUR = 3600
DAY = 86400
# The length of the prefix counted together: country code and the operator's block, enough to
# catch a run of numbers bought from one premium-rate range.
PREFIX_DIGITS = 7


@dataclass(frozen=True)
class Limit:
    """One kind of sign-up limit and what the visitor is told when it is reached."""

    name: str
    setting: str
    window: int
    # The form field the refusal is shown beside (None: the form as a whole).
    field: str | None
    message: Promise


PER_NETWORK = Limit(
    "network",
    "NOROSHI_SIGNUPS_PER_IP_HOUR",
    HOUR,
    None,
    _("Too many sign-ups from your network; try again in an hour."),
)
PER_ADDRESS = Limit(
    "address",
    "NOROSHI_SIGNUPS_PER_ADDRESS_HOUR",
    HOUR,
    "address",
    _("We have sent several messages to this address in the last hour; try again in an hour."),
)
PER_NUMBER = Limit(
    "number",
    "NOROSHI_SMS_CONFIRMATIONS_PER_NUMBER_DAY",
    DAY,
    "address",
    _("Too many confirmation codes were sent to this number today; try again tomorrow."),
)
PER_PREFIX = Limit(
    "prefix",
    "NOROSHI_SMS_CONFIRMATIONS_PER_PREFIX_DAY",
    DAY,
    "address",
    _("Too many sign-ups for numbers like this one today; try again tomorrow."),
)
SMS_BUDGET = Limit(
    "sms-budget",
    "NOROSHI_SMS_DAILY_CONFIRMATIONS",
    DAY,
    None,
    _(
        "This page has sent all the SMS confirmations it may send today; try again tomorrow, "
        "or subscribe by another channel."
    ),
)


class LimitsUnavailable(Exception):
    """The sign-up counters could not be reached (Redis down or hung): nobody can say whether a
    limit is reached, so the sign-up is refused for now."""

    # What the visitor is told to wait (seconds): a Redis restart or fail-over.
    retry_after = 30
    message = _("Sign-ups are paused for a moment. Nothing was saved: try again shortly.")


class SignupLimited(Exception):
    """A sign-up refused because a limit was reached; says why and for how long."""

    def __init__(self, limit: Limit, retry_after: int):
        super().__init__(str(limit.message))
        self.limit = limit
        self.field = limit.field
        self.message = limit.message
        self.retry_after = retry_after


@dataclass(frozen=True)
class Counter:
    """One limit applied to one subject (a network, a number, a prefix, the whole page)."""

    limit: Limit
    subject: str

    @property
    def allowed(self) -> int:
        return int(getattr(settings, self.limit.setting))

    def window_left(self, now: float) -> int:
        """Seconds until this counter's window ends (at least 1)."""
        return max(
            1, math.ceil((math.floor(now / self.limit.window) + 1) * self.limit.window - now)
        )

    def key(self, now: float) -> str:
        # Hashed with SECRET_KEY: no phone number or address in the cache's keys.
        digest = salted_hmac("noroshi.notify.abuse", self.subject).hexdigest()[:32]
        return f"notify:signup:{self.limit.name}:{math.floor(now / self.limit.window)}:{digest}"


def client_ip(request: HttpRequest) -> str:
    """The visitor's address: REMOTE_ADDR, or the X-Forwarded-For entry written by the outermost
    of NOROSHI_TRUSTED_PROXIES proxies (never one the client could have sent itself)."""
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = settings.NOROSHI_TRUSTED_PROXIES
    if trusted <= 0:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    entries = [entry.strip() for entry in forwarded.split(",") if entry.strip()]
    if len(entries) < trusted:
        return remote  # a proxy that did not write the header: count the proxy itself
    try:
        return str(ipaddress.ip_address(entries[-trusted]))
    except ValueError:
        return remote


def network_of(ip: str) -> str:
    """What one sign-up source is: an IPv4 address, or the /64 an IPv6 address belongs to."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def counters_for(*, ip: str | None, channel: str, address: str) -> list[Counter]:
    """The counters one sign-up takes; `address` in its normalised (E.164 for SMS) form; `ip`
    None for a request that is not counted by network (the management API's, throttled per
    key).

    The address's own counter is taken whether or not the address has a subscription (each
    sign-up sends it a message either way): its refusal tells nobody which it was."""
    counters = [Counter(PER_ADDRESS, f"{channel}:{address}")]
    if ip is not None:
        counters.insert(0, Counter(PER_NETWORK, network_of(ip)))
    if channel == Channel.SMS:
        digits = address.lstrip("+")
        counters += [
            Counter(PER_NUMBER, address),
            Counter(PER_PREFIX, digits[:PREFIX_DIGITS]),
            Counter(SMS_BUDGET, "page"),
        ]
    return counters


def counts_of(counters: list[Counter], now: float) -> list[signup_counters.Count]:
    return [
        signup_counters.Count(counter.key(now), counter.allowed, counter.window_left(now))
        for counter in counters
    ]


@contextlib.contextmanager
def signup_allowance(*, ip: str | None, channel: str, address: str) -> Iterator[None]:
    """Hold one unit of every sign-up limit for the body (the subscribe call); raises
    SignupLimited before the body when a limit is reached, and LimitsUnavailable when the
    counters cannot be reached (nothing is then written or sent: the limits fail closed). A
    body that raises gives the units back: a refused sign-up costs the visitor nothing."""
    now = time.time()
    counters = counters_for(ip=ip, channel=channel, address=address)
    counts = counts_of(counters, now)
    try:
        over = signup_counters.take_all(counts)
    except signup_counters.CountersUnavailable as error:
        raise LimitsUnavailable() from error
    if over is not None:
        raise SignupLimited(counters[over].limit, counts[over].ttl)
    try:
        yield
    except BaseException:
        signup_counters.give_back(counts)
        raise
