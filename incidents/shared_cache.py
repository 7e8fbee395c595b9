"""The shared cache (Redis, or files in the embedded default), called so that its failure
never fails the caller.

Everything public keeps answering without the cache: the page stamp (incidents.changes), the
cached pages (statuspage.public_cache) and the overview's bars treat the cache as an
optimisation. A failed call is logged, counted as DEPENDENCY_ERRORS{dependency="cache"} and
opens this process's circuit: for NOROSHI_CACHE_RETRY_SECONDS every call is skipped at once
(CacheDown) instead of each request paying the connect or read timeout of a hung Redis; the
first call after that tries again.
"""

import contextlib
import logging
import math
import pickle
import time
import zlib

from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from redis.exceptions import RedisError

from incidents.metrics import DEPENDENCY_ERRORS

logger = logging.getLogger(__name__)

# Redis refused, cut, timed out or answered an error; a file cache's disk failed (full,
# read-only, a broken folder) or holds a damaged entry.
CACHE_ERRORS: tuple[type[BaseException], ...] = (
    RedisError,
    OSError,
    EOFError,
    pickle.UnpicklingError,
    zlib.error,
)
CACHE_FAILURES = DEPENDENCY_ERRORS.labels("cache")


class CacheDown(Exception):
    """The shared cache was not used: its call failed, or its circuit is open."""


class Circuit:
    """Per process: after a failure, the cache is skipped for NOROSHI_CACHE_RETRY_SECONDS."""

    def __init__(self) -> None:
        self.failed_at = -math.inf  # time.monotonic() of the last failure

    def is_open(self) -> bool:
        return time.monotonic() - self.failed_at < settings.NOROSHI_CACHE_RETRY_SECONDS

    def trip(self, error: BaseException) -> None:
        was_open = self.is_open()
        self.failed_at = time.monotonic()
        if not was_open:
            # Once per opening: a hung Redis must not write a line per request.
            logger.warning(
                "the cache failed (%r); skipping it for %s s",
                error,
                settings.NOROSHI_CACHE_RETRY_SECONDS,
            )

    def reset(self, *, setting: str = "CACHES", **kwargs) -> None:
        if setting == "CACHES":
            self.failed_at = -math.inf


circuit = Circuit()
# Tests swap the cache (its settings) under a running process.
setting_changed.connect(circuit.reset)


def call(method: str, *args, **kwargs):
    """Return cache.<method>(*args, **kwargs).

    Raises CacheDown, without calling, while the circuit is open; and when the call fails
    (then counted, logged once per opening, and the circuit opened).
    """
    if circuit.is_open():
        raise CacheDown
    try:
        return getattr(cache, method)(*args, **kwargs)
    except CACHE_ERRORS as error:
        CACHE_FAILURES.inc()
        circuit.trip(error)
        raise CacheDown from error


def get(key: str, default=None):
    """cache.get(key), or `default` when the cache cannot be read."""
    try:
        return call("get", key, default)
    except CacheDown:
        return default


def get_many(keys: list[str]) -> dict:
    """cache.get_many(keys), or {} when the cache cannot be read."""
    try:
        return call("get_many", keys)
    except CacheDown:
        return {}


def put(key: str, value, timeout: float | None) -> None:
    """cache.set(...), or nothing when the cache cannot be written."""
    with contextlib.suppress(CacheDown):
        call("set", key, value, timeout)


def put_many(values: dict, timeout: float | None) -> None:
    """cache.set_many(...), or nothing when the cache cannot be written."""
    with contextlib.suppress(CacheDown):
        call("set_many", values, timeout)
