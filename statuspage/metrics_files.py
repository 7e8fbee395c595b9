"""The multiprocess files behind the process counters (incidents.metrics), kept bounded.

prometheus_client writes each process's counters and histograms to files of its own in
PROMETHEUS_MULTIPROC_DIR (`counter_<pid>.db`, `histogram_<pid>.db`), and /metrics sums them.
A process that exits leaves its files behind: they must stay counted (a counter never goes
down), but a file per process ever started would grow without end (every gunicorn worker,
every Celery pool process, every test run). So a dead process's values are added into one
archive file per kind (`counter_archive.db`, …) and its files deleted: retire().

gunicorn's master retires each worker as it exits (gunicorn.conf.py, child_exit); /metrics
retires any other process found dead before it reads (a pool process of Celery, a killed one).
A process counts as dead when no process with its pid runs on this host: the directory must
belong to one host (or container), never be shared across pid namespaces.

A file lock orders the two: a scrape reads under a shared lock, retiring takes it exclusively,
so that no scrape sees a value both in its process's file and in the archive.

This module needs no Django (gunicorn's master calls it).
"""

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from prometheus_client import Metric
from prometheus_client.mmap_dict import MmapedDict
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead

# The kinds whose values add up across processes (gauges have other rules; we keep none).
SUMMED_KINDS = ("counter", "histogram", "summary")
ARCHIVE = "archive"
LOCK_FILE = ".lock"


@contextlib.contextmanager
def locked(directory: Path, *, exclusive: bool) -> Iterator[None]:
    with (directory / LOCK_FILE).open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def process_ids(directory: Path) -> set[int]:
    """The processes that have summed files here (the archive is none of them)."""
    pids = set()
    for path in directory.glob("*.db"):
        kind, _, owner = path.stem.partition("_")
        if kind in SUMMED_KINDS and owner.isdigit():
            pids.add(int(owner))
    return pids


def is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def retire(pid: int, directory: Path | None = None) -> None:
    """Fold the files of `pid`, a process that has exited, into the archive."""
    folder = directory or Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    with locked(folder, exclusive=True):
        fold_into_archive(folder, pid)
    mark_process_dead(pid, str(folder))


def retire_dead(directory: Path) -> None:
    """Retire every process with files here that no longer runs."""
    dead = {pid for pid in process_ids(directory) if not is_running(pid)}
    if not dead:
        return
    with locked(directory, exclusive=True):
        for pid in dead:
            fold_into_archive(directory, pid)


def fold_into_archive(directory: Path, pid: int) -> None:
    """Add each value of the process's files to the archive of its kind, then delete them.
    The caller holds the exclusive lock."""
    for kind in SUMMED_KINDS:
        path = directory / f"{kind}_{pid}.db"
        if not path.exists():
            continue
        archive = MmapedDict(str(directory / f"{kind}_{ARCHIVE}.db"))
        try:
            for key, value, _timestamp, _position in MmapedDict.read_all_values_from_file(path):
                total, _ = archive.read_value(key)
                archive.write_value(key, total + value, 0.0)
        finally:
            archive.close()
        path.unlink()


class ProcessFilesCollector:
    """Every process's counters and histograms on this host, summed (prometheus_client's
    MultiProcessCollector), after retiring the dead."""

    def __init__(self, directory: Path):
        self.directory = directory

    def collect(self) -> Iterator[Metric]:
        retire_dead(self.directory)
        with locked(self.directory, exclusive=False):
            files = [str(path) for path in self.directory.glob("*.db")]
            metrics = MultiProcessCollector.merge(files, accumulate=True)
        yield from metrics
