"""The "something on the page changed" signal: a timestamp in the cache, set after commit.

Readers of public content (the status page, its JSON and feeds) key their caches on it; every
write of the incidents domain sets it once its transaction has committed, so no reader ever
caches content that a rollback took back.

The stamp lives in the shared cache, which may be unreachable. Then:
- a reader gets a stamp of its own process (`shared=False`) that is renewed every
  NOROSHI_LOCAL_PAGE_SECONDS, so pages stay fresh (rendered again that often) and cheap (not
  rendered per request);
- a write cannot move the stamp: the process remembers the change, shows it at once in its own
  pages, and writes it when the cache is back;
- when a process finds the cache back after an outage, and every few seconds in beat
  (reconcile_page_stamp), the stamp is moved past the newest change the database holds, so the
  pages cached before the outage are never served again after a change nobody could mark.
"""

import logging
import threading
import time
from typing import NamedTuple

from django.conf import settings
from django.core.signals import setting_changed
from django.db import DatabaseError, transaction

from incidents import shared_cache
from incidents.metrics import DEPENDENCY_ERRORS
from incidents.selectors import newest_change_at
from incidents.shared_cache import CacheDown

logger = logging.getLogger(__name__)

PAGE_CHANGED_AT_KEY = "page-changed-at"
# How long a process may go on using the stamp it last read (the hot path of every cached
# public request reads no shared cache in between). Well inside the page's promise that an
# update shows within 2 seconds; the process that made the change knows at once.
STAMP_MAX_AGE = 0.5
# Readers comparing stamps never see the clock go backwards.
STEP = 1e-6


class PageStamp(NamedTuple):
    """The version of the public content that cache keys are made of."""

    at: float  # seconds since the epoch
    shared: bool  # read from the shared cache; False: this process's own, the cache being down


class Outage:
    """What this process knows while the shared cache is unreachable (all threads share it)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self, *, setting: str = "CACHES", **kwargs) -> None:
        if setting != "CACHES":
            return
        self.down = False
        self.unsaved = 0.0  # the newest change this process could not mark
        self.local_at = 0.0
        self.local_until = 0.0  # time.monotonic()

    def local_stamp(self) -> PageStamp:
        """This process's stamp, renewed every NOROSHI_LOCAL_PAGE_SECONDS."""
        now = time.monotonic()
        with self.lock:
            self.down = True
            if now >= self.local_until:
                self.local_at = time.time()
                self.local_until = now + settings.NOROSHI_LOCAL_PAGE_SECONDS
            return PageStamp(max(self.local_at, self.unsaved), shared=False)

    def remember(self, changed_at: float) -> None:
        with self.lock:
            self.down = True
            self.unsaved = max(self.unsaved, changed_at)

    def recovered(self, written: float) -> None:
        """The cache is back and holds every change up to `written`."""
        with self.lock:
            self.down = False
            if self.unsaved <= written:
                self.unsaved = 0.0


outage = Outage()
_memo = threading.local()


def page_changed_at() -> float:
    """When public content last changed, in seconds since the epoch, as the cache holds it.

    An empty cache (first start, or Redis flushed) knows no change: the stamp starts now, set
    with an atomic add so that concurrent first readers agree on one value. Raises CacheDown
    when the cache cannot be read.
    """
    stamp = shared_cache.call("get", PAGE_CHANGED_AT_KEY)
    if stamp is None:
        shared_cache.call("add", PAGE_CHANGED_AT_KEY, time.time(), timeout=None)
        stamp = shared_cache.call("get", PAGE_CHANGED_AT_KEY, 0.0)
    return float(stamp)


def recent_page_stamp() -> PageStamp:
    """The page stamp as this thread read it at most STAMP_MAX_AGE seconds ago; this
    process's own while the cache is unreachable (see the module docstring)."""
    stamp, read_at = getattr(_memo, "stamp", (None, 0.0))
    if stamp is None or time.monotonic() - read_at > STAMP_MAX_AGE:
        stamp = read_page_stamp()
        # Timed from the answer: a read that waited for a timeout is not stale at once.
        _memo.stamp = (stamp, time.monotonic())
    return stamp


def read_page_stamp() -> PageStamp:
    try:
        at = page_changed_at()
        if outage.down:
            at = catch_up(at)
    except CacheDown:
        return outage.local_stamp()
    return PageStamp(at, shared=True)


def catch_up(stored: float) -> float:
    """Move the stamp past the changes made while the cache was unreachable: this process's
    own, and whatever the database holds that is newer than `stored`. Return the stamp."""
    unsaved = outage.unsaved
    try:
        newest = max(unsaved, newest_change_at())
    except DatabaseError:
        DEPENDENCY_ERRORS.labels("database").inc()
        logger.warning("could not read the newest change; beat will reconcile the page stamp")
        newest = unsaved
    if newest > stored:
        stored = write_stamp(max(time.time(), newest, stored + STEP))
    outage.recovered(stored)
    return stored


def write_stamp(stamp: float) -> float:
    shared_cache.call("set", PAGE_CHANGED_AT_KEY, stamp, timeout=None)
    _memo.stamp = (PageStamp(stamp, shared=True), time.monotonic())
    return stamp


def forget_recent_stamp(**kwargs) -> None:
    _memo.stamp = (None, 0.0)


# Tests swap the cache (its settings) under a running process.
setting_changed.connect(forget_recent_stamp)
setting_changed.connect(outage.reset)


def move_page_stamp(now: float) -> float:
    """Move the page stamp to `now`, or just past the stamp when that is later; return it.
    Raises CacheDown when the cache cannot be read or written."""
    return write_stamp(max(now, page_changed_at() + STEP))


def mark_page_changed() -> None:
    """Record that public content changed now. Prefer page_changed_on_commit() inside writes.

    Never raises: when the cache is unreachable the change is remembered by this process
    (its pages show it at once) and written when the cache is back; beat's
    reconcile_page_stamp() covers a process that dies first.
    """
    now = time.time()
    try:
        move_page_stamp(now)
    except CacheDown:
        outage.remember(now)
        forget_recent_stamp()
        logger.warning("the page change could not be marked in the cache; kept to write later")


def page_changed_on_commit() -> None:
    """Schedule mark_page_changed() for when the current transaction commits (now if none).

    Each write of public content calls this first, before anything else it defers to its
    commit (announcing, queueing): the page is invalidated whatever becomes of the rest. The
    callback is robust: should it fail, the callbacks after it still run and the committed
    write still answers."""
    transaction.on_commit(mark_page_changed, robust=True)


def reconcile_page_stamp() -> bool:
    """Move the page stamp past the newest change in the database, if a committed change could
    not be marked (the cache was unreachable then, and the process that wrote it is gone).
    Return whether it moved. Does nothing while the cache is unreachable; raises
    DatabaseError when the database is.
    """
    try:
        stored = page_changed_at()
        newest = newest_change_at()
        if newest <= stored:
            return False
        write_stamp(max(time.time(), newest, stored + STEP))
    except CacheDown:
        return False
    logger.info("moved the page stamp past a change made while the cache was unreachable")
    return True
