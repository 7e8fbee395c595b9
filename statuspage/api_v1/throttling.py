"""The management API's limits, DRF throttles counted in the shared cache.

- `ApiKeyRateThrottle`: NOROSHI_API_RATE requests per API key (default 120/min); past it,
  429 with Retry-After. Console sessions are not counted.
- `FailedAuthenticationThrottle`: NOROSHI_API_AUTH_FAILURE_RATE refused keys per client
  address (an IPv6 client's /64; default 30/min); past it, every key from there is refused
  with 429 and Retry-After until the oldest refusal leaves the window — a guessed key
  included. statuspage.api_v1.authentication asks it before looking a key up.

Both fail open: while the cache (Redis) cannot be reached, nothing is counted and every request
goes on (the fault table in docs/operations.md: the API keeps working without Redis); that is
logged once per outage and retry (incidents.shared_cache's circuit).
"""

import logging
import math

from django.conf import settings
from rest_framework import exceptions
from rest_framework.throttling import SimpleRateThrottle

from incidents import shared_cache
from incidents.models import ApiKey
from notify.abuse import client_ip, network_of

logger = logging.getLogger(__name__)


class FailOpenHistories:
    """The throttles' request histories in the shared cache; while it fails, none is kept."""

    warned_for = -math.inf  # the circuit's failure this process has warned about

    def get(self, key: str, default):
        try:
            return shared_cache.call("get", key, default)
        except shared_cache.CacheDown:
            self.warn()
            return default

    def set(self, key: str, value, timeout: float) -> None:
        try:
            shared_cache.call("set", key, value, timeout)
        except shared_cache.CacheDown:
            self.warn()

    def warn(self) -> None:
        failed_at = shared_cache.circuit.failed_at
        if failed_at != FailOpenHistories.warned_for:
            FailOpenHistories.warned_for = failed_at
            logger.warning("the cache is unreachable: API rate limits are not applied meanwhile")


class NoroshiRateThrottle(SimpleRateThrottle):
    """A DRF throttle whose rate is a setting read when it is made (tests may change it), kept
    in the shared cache, failing open."""

    cache = FailOpenHistories()  # type: ignore[assignment]
    rate_setting = ""

    def get_rate(self) -> str:
        return getattr(settings, self.rate_setting)

    def wait(self) -> float:
        """Seconds until a request is allowed again: until the entry that keeps the history
        full leaves the window (DRF's own wait has none to give when histories written by
        concurrent requests hold more than the limit)."""
        if len(self.history) < self.num_requests:
            return 0.0
        return max(self.history[self.num_requests - 1] + self.duration - self.now, 1.0)


class ApiKeyRateThrottle(NoroshiRateThrottle):
    """At most NOROSHI_API_RATE requests per API key."""

    scope = "api_key"
    rate_setting = "NOROSHI_API_RATE"

    def get_cache_key(self, request, view) -> str | None:
        if not isinstance(request.auth, ApiKey):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class FailedAuthenticationThrottle(NoroshiRateThrottle):
    """At most NOROSHI_API_AUTH_FAILURE_RATE refused keys per client address. Unlike other
    throttles, it counts only what note_failure() is told."""

    scope = "api_auth_failures"
    rate_setting = "NOROSHI_API_AUTH_FAILURE_RATE"

    client = ""  # the address (or IPv6 /64) counted, once allow_request() has run

    def get_cache_key(self, request, view) -> str:
        self.client = network_of(client_ip(request))
        return self.cache_format % {"scope": self.scope, "ident": self.client}

    def throttle_success(self) -> bool:
        return True  # an allowed attempt is counted only if its key is refused

    def refuse_if_blocked(self, request) -> None:
        """Raise Throttled (429, Retry-After) while this client's refusals are at the limit."""
        if not self.allow_request(request, None):
            raise exceptions.Throttled(
                wait=self.wait(),
                detail="Too many refused API keys from this address.",
            )

    def note_failure(self) -> None:
        """Count a refused key of the client refuse_if_blocked() was asked about."""
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)
        if len(self.history) == self.num_requests:
            logger.warning(
                "API keys from %s are refused for up to %d s: %d refused keys",
                self.client,
                self.duration,
                self.num_requests,
            )
