"""The token bucket's arithmetic, in this process and in Redis, with the clock passed in."""

import uuid

import pytest

from notify import ratelimit
from notify.ratelimit import BucketState, LocalTokenBucket, RedisTokenBucket, Take, take_token


def test_a_full_bucket_grants_at_once_then_makes_the_next_caller_wait():
    first, state = take_token(None, now=100.0, rate=2.0, capacity=1.0, max_wait=1.0)
    assert (first, state) == (Take(granted=True, wait=0.0), BucketState(tokens=0.0, at=100.0))
    second, state = take_token(state, now=100.0, rate=2.0, capacity=1.0, max_wait=1.0)
    assert second == Take(granted=True, wait=0.5)  # a token reserved: sleep, then send
    assert state == BucketState(tokens=-1.0, at=100.0)


def test_a_wait_longer_than_the_caller_accepts_takes_nothing():
    state = BucketState(tokens=-1.0, at=100.0)
    answer, new_state = take_token(state, now=100.0, rate=1.0, capacity=1.0, max_wait=1.0)
    assert answer == Take(granted=False, wait=2.0)
    assert new_state is None  # the caller postpones; the bucket is unchanged


def test_the_bucket_refills_at_its_rate_up_to_its_capacity():
    state = BucketState(tokens=0.0, at=100.0)
    half, _ = take_token(state, now=100.25, rate=2.0, capacity=1.0, max_wait=0.0)
    assert half == Take(granted=False, wait=0.25)  # half a token there, a quarter second to go
    full, after = take_token(state, now=160.0, rate=2.0, capacity=3.0, max_wait=0.0)
    assert (full, after) == (Take(granted=True, wait=0.0), BucketState(tokens=2.0, at=160.0))


def test_a_clock_going_back_does_not_refill_twice():
    state = BucketState(tokens=0.0, at=100.0)
    answer, after = take_token(state, now=99.0, rate=1.0, capacity=1.0, max_wait=1.0)
    assert answer == Take(granted=True, wait=1.0)
    assert after == BucketState(tokens=-1.0, at=100.0)


def test_ten_per_second_lines_callers_up_a_tenth_of_a_second_apart():
    bucket = LocalTokenBucket(f"test-{uuid.uuid4()}", rate=10.0)
    waits = [bucket.take(max_wait=1.0, now=50.0).wait for _ in range(5)]
    assert waits == pytest.approx([0.0, 0.1, 0.2, 0.3, 0.4])
    assert bucket.take(max_wait=1.0, now=50.5) == Take(granted=True, wait=pytest.approx(0.0))


def test_local_buckets_of_one_name_share_their_tokens_and_others_do_not():
    name = f"test-{uuid.uuid4()}"
    LocalTokenBucket(name, rate=1.0).take(max_wait=1.0, now=10.0)
    assert LocalTokenBucket(name, rate=1.0).take(max_wait=0.5, now=10.0) == Take(False, 1.0)
    other = LocalTokenBucket(f"test-{uuid.uuid4()}", rate=1.0)
    assert other.take(max_wait=0.5, now=10.0) == Take(True, 0.0)


@pytest.fixture
def redis_url(settings):
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set (CI sets it)")
    return settings.REDIS_URL


def test_the_redis_bucket_does_the_same_arithmetic(redis_url):
    bucket = RedisTokenBucket(f"test-{uuid.uuid4()}", rate=10.0, url=redis_url)
    waits = [bucket.take(max_wait=1.0, now=50.0) for _ in range(3)]
    assert waits == [
        Take(True, 0.0),
        Take(True, pytest.approx(0.1)),
        Take(True, pytest.approx(0.2)),
    ]
    assert bucket.take(max_wait=0.25, now=50.0) == Take(False, pytest.approx(0.3))
    assert bucket.take(max_wait=0.0, now=50.4) == Take(True, 0.0)
    assert bucket.client.pttl(bucket.key) > 0  # an idle bucket does not stay in Redis


def test_two_workers_share_one_redis_bucket(redis_url):
    name = f"test-{uuid.uuid4()}"
    worker_a = RedisTokenBucket(name, rate=1.0, url=redis_url)
    worker_b = RedisTokenBucket(name, rate=1.0, url=redis_url)
    assert worker_a.take(max_wait=1.0, now=10.0) == Take(True, 0.0)
    assert worker_b.take(max_wait=1.0, now=10.0) == Take(True, pytest.approx(1.0))
    assert worker_a.take(max_wait=1.0, now=10.0) == Take(False, pytest.approx(2.0))


def test_redis_out_of_reach_postpones_rather_than_sends_unpaced():
    bucket = RedisTokenBucket(f"test-{uuid.uuid4()}", rate=1.0, url="redis://127.0.0.1:1/0")
    assert bucket.take(max_wait=1.0) == Take(False, ratelimit.REDIS_DOWN_WAIT)


def test_pace_sleeps_only_for_a_granted_token(monkeypatch):
    slept = []
    monkeypatch.setattr(ratelimit.time, "sleep", slept.append)
    bucket = LocalTokenBucket(f"test-{uuid.uuid4()}", rate=2.0)
    monkeypatch.setattr(ratelimit.time, "monotonic", lambda: 7.0)
    assert [ratelimit.pace(bucket, max_sleep=1.0) for _ in range(4)] == [0.0, 0.0, 0.0, 1.5]
    assert slept == [0.5, 1.0]
