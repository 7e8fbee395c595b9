"""The process counters every layer adds to, exposed in Prometheus's text format by /metrics
(statuspage.metrics), which adds the figures it reads from the database at scrape time.

They live in the lowest layer so that the public site, the notifications and the domain can
all count into them without importing each other. Web and worker processes on one host share
them through prometheus_client's multiprocess files in PROMETHEUS_MULTIPROC_DIR (settings sets
it to var/metrics before anything imports prometheus_client).

prometheus_client writes those files through mmap: a write that lands on a block the disk
cannot supply (var/ full) kills the process with SIGBUS, which no Python code can catch. So
each process gives its files their blocks (posix_fallocate) before its first write; when the
disk cannot, that process counts nothing (and says so once) rather than die. A new kind of
metric (a Gauge…) adds its file's prefix to FILE_KINDS.
"""

import contextlib
import logging
import os

from prometheus_client import Counter, Histogram

logger = logging.getLogger(__name__)

# prometheus_client's multiprocess files, one per kind and process: <kind>_<pid>.db.
FILE_KINDS = ("counter", "histogram")
# Room for every series of this module many times over: the files never grow past it.
FILE_BYTES = 1 << 18


class Room:
    """Whether this process's multiprocess files have their blocks (decided once per pid)."""

    def __init__(self) -> None:
        self.pid = 0
        self.ok = False

    def __bool__(self) -> bool:
        pid = os.getpid()
        if pid != self.pid:  # a new process, or a fork
            self.pid, self.ok = pid, allocate(pid)
        return self.ok


def allocate(pid: int) -> bool:
    """Give this process's files FILE_BYTES of real blocks; False when the disk cannot (the
    files it made are then removed: an empty one would break the /metrics of every process)."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not folder or not hasattr(os, "posix_fallocate"):
        return True  # values in process memory, or a system without the call (macOS)
    made = []
    try:
        for kind in FILE_KINDS:
            path = os.path.join(folder, f"{kind}_{pid}.db")
            if not os.path.exists(path):  # else an earlier process of this pid's: kept
                made.append(path)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                os.posix_fallocate(fd, 0, FILE_BYTES)  # keeps what the file holds
            finally:
                os.close(fd)
    except OSError as error:
        for path in made:
            with contextlib.suppress(OSError):
                os.unlink(path)
        logger.warning("metrics are off in process %s: %s has no room (%s)", pid, folder, error)
        return False
    return True


room = Room()


class Silent:
    """What a metric gives where its process cannot write: counts nothing."""

    def labels(self, *args, **kwargs) -> "Silent":
        return self

    def inc(self, *args, **kwargs) -> None:
        pass

    def observe(self, *args, **kwargs) -> None:
        pass


SILENT = Silent()


class GuardedCounter(Counter):
    def labels(self, *args, **kwargs):
        return super().labels(*args, **kwargs) if room else SILENT

    def inc(self, *args, **kwargs) -> None:
        if room:
            super().inc(*args, **kwargs)


class GuardedHistogram(Histogram):
    def labels(self, *args, **kwargs):
        return super().labels(*args, **kwargs) if room else SILENT

    def observe(self, *args, **kwargs) -> None:
        if room:
            super().observe(*args, **kwargs)


PUBLIC_CACHE = GuardedCounter(
    "noroshi_public_cache_requests",
    "Public page requests, by where the answer came from: memory (this process), cache "
    "(shared), render (a fresh rendering), snapshot (the last good rendering on disk).",
    ["source"],
)

DEPENDENCY_ERRORS = GuardedCounter(
    "noroshi_dependency_errors",
    "Calls to a dependency that failed and were handled: database, cache, broker.",
    ["dependency"],
)

SEND_SECONDS = GuardedHistogram(
    "noroshi_send_seconds",
    "Time of one provider call (an e-mail, a text, a webhook or Slack post), by channel.",
    ["channel"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
