"""The "something on the page changed" signal: a timestamp in the cache, set after commit.

Readers of public content (the status page, its JSON and feeds) key their caches on it; every
write of the incidents domain sets it once its transaction has committed, so no reader ever
caches content that a rollback took back.
"""

import threading
import time

from django.core.cache import cache
from django.core.signals import setting_changed
from django.db import transaction

PAGE_CHANGED_AT_KEY = "page-changed-at"
# How long a process may go on using the stamp it last read (the hot path of every cached
# public request reads no shared cache in between). Well inside the page's promise that an
# update shows within 2 seconds; the process that made the change knows at once.
STAMP_MAX_AGE = 0.5

_memo = threading.local()


def page_changed_at() -> float:
    """When public content last changed, in seconds since the epoch.

    An empty cache (first start, or Redis flushed) knows no change: the stamp starts now, set
    with an atomic add so that concurrent first readers agree on one value.
    """
    stamp = cache.get(PAGE_CHANGED_AT_KEY)
    if stamp is None:
        cache.add(PAGE_CHANGED_AT_KEY, time.time(), timeout=None)
        stamp = cache.get(PAGE_CHANGED_AT_KEY, 0.0)
    return float(stamp)


def recent_page_changed_at() -> float:
    """page_changed_at() as this process read it at most STAMP_MAX_AGE seconds ago."""
    now = time.monotonic()
    stamp, read_at = getattr(_memo, "stamp", (None, 0.0))
    if stamp is None or now - read_at > STAMP_MAX_AGE:
        stamp = page_changed_at()
        _memo.stamp = (stamp, now)
    return stamp


def forget_recent_stamp(**kwargs) -> None:
    _memo.stamp = (None, 0.0)


# Tests swap the cache (its settings) under a running process.
setting_changed.connect(forget_recent_stamp)


def mark_page_changed() -> None:
    """Record that public content changed now. Prefer page_changed_on_commit() inside writes."""
    # Never let the clock go backwards for readers comparing stamps.
    stamp = max(time.time(), page_changed_at() + 1e-6)
    cache.set(PAGE_CHANGED_AT_KEY, stamp, timeout=None)
    _memo.stamp = (stamp, time.monotonic())


def page_changed_on_commit() -> None:
    """Schedule mark_page_changed() for when the current transaction commits (now if none).

    Each write of public content calls this first, before anything else it defers to its
    commit (announcing, queueing): the page is invalidated whatever becomes of the rest. The
    callback is robust: should it fail, the callbacks after it still run and the committed
    write still answers."""
    transaction.on_commit(mark_page_changed, robust=True)
