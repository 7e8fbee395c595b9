"""The "something on the page changed" signal: a timestamp in the cache, set after commit.

Readers of public content (the status page, its JSON and feeds) key their caches on it; every
write of the incidents domain sets it once its transaction has committed, so no reader ever
caches content that a rollback took back.
"""

import time

from django.core.cache import cache
from django.db import transaction

PAGE_CHANGED_AT_KEY = "page-changed-at"


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


def mark_page_changed() -> None:
    """Record that public content changed now. Prefer page_changed_on_commit() inside writes."""
    # Never let the clock go backwards for readers comparing stamps.
    cache.set(PAGE_CHANGED_AT_KEY, max(time.time(), page_changed_at() + 1e-6), timeout=None)


def page_changed_on_commit() -> None:
    """Schedule mark_page_changed() for when the current transaction commits (now if none)."""
    transaction.on_commit(mark_page_changed)
