"""Token buckets that pace a channel's sends (e.g. Twilio's one SMS per second per number).

A bucket holds at most `capacity` tokens and gains `rate` tokens a second; each send takes
one. A caller that is willing to wait up to `max_wait` seconds takes its token in advance (the
bucket goes into debt) and sleeps until it is due, so workers sharing a bucket line up one after
the other instead of racing; a caller facing a longer wait takes nothing and is told how long
(the delivery is postponed). The arithmetic is one pure function with `now` passed in, so it is
tested without clocks; Redis runs the same arithmetic in one Lua script (atomic for every
worker on every machine). Without Redis the bucket lives in the process: correct for the
embedded mode's single worker, but each extra worker process would pace on its own.
"""

import logging
import threading
import time
from dataclasses import dataclass
from functools import cache

import redis
from django.conf import settings

logger = logging.getLogger(__name__)

# When Redis does not answer, sends wait this long rather than go out unpaced.
REDIS_DOWN_WAIT = 5.0


@dataclass(frozen=True)
class Take:
    """The answer of a bucket: granted (sleep `wait` seconds, then send) or not (try again in
    `wait` seconds)."""

    granted: bool
    wait: float


@dataclass(frozen=True)
class BucketState:
    tokens: float
    at: float


def take_token(
    state: BucketState | None, *, now: float, rate: float, capacity: float, max_wait: float
) -> tuple[Take, BucketState | None]:
    """Take a token from a bucket at `now`: the answer, and the bucket's new state (None when
    nothing was taken)."""
    tokens, at = (capacity, now) if state is None else (state.tokens, state.at)
    tokens = min(capacity, tokens + max(0.0, now - at) * rate)
    wait = 0.0 if tokens >= 1 else (1 - tokens) / rate
    if wait > max_wait:
        return Take(granted=False, wait=wait), None
    # A clock that went back (or an injected earlier `now`) must not refill the bucket twice.
    return Take(granted=True, wait=wait), BucketState(tokens=tokens - 1, at=max(at, now))


class LocalTokenBucket:
    """A bucket in this process's memory (the embedded mode: one worker process)."""

    states: dict[str, BucketState] = {}
    lock = threading.Lock()

    def __init__(self, key: str, *, rate: float, capacity: float = 1.0):
        self.key, self.rate, self.capacity = key, rate, capacity

    def take(self, *, max_wait: float, now: float | None = None) -> Take:
        now = time.monotonic() if now is None else now
        with self.lock:
            answer, state = take_token(
                self.states.get(self.key),
                now=now,
                rate=self.rate,
                capacity=self.capacity,
                max_wait=max_wait,
            )
            if state is not None:
                self.states[self.key] = state
        return answer


# take_token() in Lua. ARGV: rate, capacity, max_wait, now ('' = Redis's own clock, so that
# workers on machines whose clocks differ still share one time line).
TAKE_SCRIPT = """
local rate, capacity, max_wait = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local now = tonumber(ARGV[4])
if not now then
  local clock = redis.call('TIME')
  now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
end
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens < 1 then wait = (1 - tokens) / rate end
if wait > max_wait then return {0, string.format('%.6f', wait)} end
tokens = tokens - 1
redis.call('HSET', KEYS[1], 'tokens', string.format('%.9f', tokens),
           'at', string.format('%.6f', math.max(at, now)))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) / rate * 1000) + 1000)
return {1, string.format('%.6f', wait)}
"""


@cache
def redis_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


class RedisTokenBucket:
    """A bucket in Redis, shared by every worker that paces the same sender."""

    prefix = "noroshi:bucket:"

    def __init__(self, key: str, *, rate: float, capacity: float = 1.0, url: str = ""):
        self.key, self.rate, self.capacity = self.prefix + key, rate, capacity
        self.client = redis_client(url or settings.REDIS_URL)
        self.script = self.client.register_script(TAKE_SCRIPT)

    def take(self, *, max_wait: float, now: float | None = None) -> Take:
        arguments: list[str | float] = [
            self.rate,
            self.capacity,
            max_wait,
            "" if now is None else repr(now),
        ]
        try:
            granted, wait = self.script(keys=[self.key], args=arguments)
        except redis.RedisError as error:
            logger.warning("rate limit %s: Redis did not answer (%s)", self.key, error)
            return Take(granted=False, wait=REDIS_DOWN_WAIT)
        return Take(granted=bool(granted), wait=float(wait))


def bucket(key: str, *, rate: float, capacity: float = 1.0) -> LocalTokenBucket | RedisTokenBucket:
    """The bucket named `key`: in Redis when REDIS_URL is set, else in this process."""
    if settings.REDIS_URL:
        return RedisTokenBucket(key, rate=rate, capacity=capacity)
    return LocalTokenBucket(key, rate=rate, capacity=capacity)


def pace(limiter: LocalTokenBucket | RedisTokenBucket, *, max_sleep: float = 1.0) -> float:
    """Wait for a token when it is at most `max_sleep` away (return 0: send now); otherwise
    return the seconds until one is due (the caller postpones)."""
    answer = limiter.take(max_wait=max_sleep)
    if not answer.granted:
        return answer.wait
    if answer.wait > 0:
        time.sleep(answer.wait)
    return 0.0
