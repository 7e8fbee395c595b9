"""Where the sign-up limits (notify.abuse) keep their counts: Redis when REDIS_URL is set, else
the configured cache (the embedded mode's files).

With Redis, one Lua script checks every counter of a sign-up and takes them all or none, atomic
for every web process on every machine. It is Redis itself, reached with short timeouts and no
retries: a Redis that is down or hung costs a sign-up at most REDIS_TIMEOUT twice over (connect,
then answer), never a hung request — and never a silent pass either, whatever the page cache
does when Redis is gone. A failure raises CountersUnavailable: the sign-up is refused (fails
closed), and the failure is logged and counted as a cache dependency error.

Keys carry the default cache's KEY_PREFIX, so that installations (and tests) sharing one Redis
keep their counts apart.
"""

import contextlib
import logging
from dataclasses import dataclass
from functools import cache as memoised

import redis
from django.conf import settings
from django.core.cache import cache
from redis.backoff import NoBackoff
from redis.retry import Retry

from incidents.metrics import DEPENDENCY_ERRORS

logger = logging.getLogger(__name__)

# Seconds to connect to Redis, and then for its answer. INCR takes microseconds: a Redis that
# has not answered in a second is not going to answer a visitor in time.
REDIS_TIMEOUT = 1.0

# KEYS: one per counter; ARGV: the limit and the seconds to live of each, in turn. Returns the
# 1-based index of the first counter at its limit (nothing taken), or 0 (all taken).
TAKE_ALL = """
for i, key in ipairs(KEYS) do
  if (tonumber(redis.call('GET', key)) or 0) >= tonumber(ARGV[2 * i - 1]) then return i end
end
for i, key in ipairs(KEYS) do
  redis.call('INCR', key)
  redis.call('EXPIRE', key, tonumber(ARGV[2 * i]))
end
return 0
"""
GIVE_BACK = """
for _, key in ipairs(KEYS) do
  if (tonumber(redis.call('GET', key)) or 0) > 0 then redis.call('DECR', key) end
end
return 0
"""


class CountersUnavailable(Exception):
    """The counts could not be read or written: the sign-up must be refused."""


@dataclass(frozen=True)
class Count:
    """One unit to take: the counter's key, how many it allows, how long it lives (seconds)."""

    key: str
    allowed: int
    ttl: int


def take_all(counts: list[Count]) -> int | None:
    """Take one unit of every count, or none: the index of the first one at its limit (nothing
    taken), else None. Raises CountersUnavailable when the store does not answer."""
    if settings.REDIS_URL:
        return take_all_in_redis(counts)
    return take_all_in_cache(counts)


def give_back(counts: list[Count]) -> None:
    """Return the units of a sign-up that did not go through. Never raises: a unit that could
    not be returned only expires with its window."""
    with contextlib.suppress(CountersUnavailable):
        if settings.REDIS_URL:
            run_script(GIVE_BACK, counts, [])
        else:
            give_back_in_cache(counts)


# --- Redis -------------------------------------------------------------------------------------


@memoised
def redis_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(
        url,
        socket_timeout=REDIS_TIMEOUT,
        socket_connect_timeout=REDIS_TIMEOUT,
        retry=Retry(NoBackoff(), 0),
    )


def prefixed(key: str) -> str:
    return f"{settings.CACHES['default'].get('KEY_PREFIX', '')}:{key}"


def run_script(script: str, counts: list[Count], arguments: list[int]) -> int:
    client = redis_client(settings.REDIS_URL)
    try:
        return int(client.eval(script, len(counts), *(prefixed(c.key) for c in counts), *arguments))
    except redis.RedisError as error:
        raise unavailable(error) from error


def take_all_in_redis(counts: list[Count]) -> int | None:
    arguments = [number for count in counts for number in (count.allowed, count.ttl)]
    over = run_script(TAKE_ALL, counts, arguments)
    return over - 1 if over else None


def unavailable(error: Exception) -> CountersUnavailable:
    DEPENDENCY_ERRORS.labels(dependency="cache").inc()
    logger.warning("sign-up limits: the counters did not answer (%s)", error)
    return CountersUnavailable(str(error))


# --- The configured cache (the embedded mode) --------------------------------------------------


def take_all_in_cache(counts: list[Count]) -> int | None:
    taken: list[Count] = []
    try:
        for index, count in enumerate(counts):
            if not take_in_cache(count):
                give_back_in_cache(taken)
                return index
            taken.append(count)
    except OSError as error:  # the file-based cache's disk
        raise unavailable(error) from error
    return None


def take_in_cache(count: Count) -> bool:
    cache.add(count.key, 0, count.ttl)
    try:
        value = cache.incr(count.key)
    except ValueError:  # evicted between add and incr
        cache.add(count.key, 1, count.ttl)
        value = 1
    # Backends without an atomic incr write the value again with the default timeout.
    cache.touch(count.key, count.ttl)
    if value <= count.allowed:
        return True
    give_back_in_cache([count])
    return False


def give_back_in_cache(counts: list[Count]) -> None:
    try:
        for count in counts:
            with contextlib.suppress(ValueError):
                cache.decr(count.key)
                cache.touch(count.key, count.ttl)
    except OSError as error:
        raise unavailable(error) from error
