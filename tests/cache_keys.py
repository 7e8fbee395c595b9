"""The tests' cache keys in Redis: each test writes under a prefix of its own (tests.conftest's
isolated_cache), caches it starts for others (a proxy, a gunicorn, a Celery worker) under
prefixes made from it, and everything under them is deleted when the test ends."""

from django.conf import settings


def derived_prefix(suffix: str) -> str:
    """A cache key prefix made from the running test's own, for a cache of its own (a proxy's,
    a server's, a worker's) that is forgotten with the test's."""
    return f"{settings.CACHES['default']['KEY_PREFIX']}-{suffix}"


def forget_keys(redis_url: str, prefix: str) -> None:
    """Delete what a test wrote under its prefix (page marks, throttles, sign-up counters):
    the suite leaves the Redis database it used as it found it."""
    import redis

    with redis.Redis.from_url(redis_url, socket_timeout=5) as server:
        # The test's prefix and those made from it (a proxy's, a server's, a worker's).
        keys = list(server.scan_iter(match=f"{prefix}*", count=1000))
        if keys:
            server.delete(*keys)


def redis_keys() -> set[bytes]:
    """Every key of the Redis database the tests use (none without Redis, or when it cannot
    be reached: the guard of tests.conftest says so where it matters)."""
    import redis

    if not settings.REDIS_URL:
        return set()
    try:
        with redis.Redis.from_url(settings.REDIS_URL, socket_timeout=5) as server:
            return set(server.scan_iter(count=1000))
    except redis.RedisError:
        return set()


def leftover_keys(before: set[bytes]) -> set[bytes]:
    """The keys there now that were not before the run, but for those Redis gives an expiry
    of minutes at most (a lock, a short throttle window on its way out)."""
    import redis

    added = redis_keys() - before
    if not added:
        return added
    with redis.Redis.from_url(settings.REDIS_URL, socket_timeout=5) as server:
        return {key for key in added if not 0 < server.ttl(key) <= 600}
