"""The last good rendering of each public response, kept on disk, outside the database and the
cache, so that the page still answers when PostgreSQL (or Redis) is down.

The folder stays bounded: only responses with valid parameters are written (statuspage.
public_cache), and each time a new file appears (and at least hourly) the folder is pruned to
the newest NOROSHI_SNAPSHOT_MAX_FILES, none older than NOROSHI_SNAPSHOT_MAX_AGE_DAYS. Pruning
follows a successful write, that is a rendering from a working database: while the database
is down, nothing is pruned and every snapshot stays available.
"""

import contextlib
import json
import logging
import os
import tempfile
import time
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

SUFFIX = ".snap"
TEMP_PREFIX = ".tmp-"
PRUNE_EVERY_SECONDS = 3600
# A temporary file this old was left by a process killed mid-write.
TEMP_MAX_AGE_SECONDS = 3600
_last_prune = 0.0  # time.monotonic() of this process's last pruning


def snapshot_folder() -> Path:
    return Path(settings.VAR_DIR) / "snapshots"


def snapshot_path(name: str) -> Path:
    return snapshot_folder() / (name.replace(":", "_") + SUFFIX)


def write(name: str, meta: dict, body: bytes) -> None:
    """Replace the snapshot `name` atomically: one file, a JSON line of `meta`, then `body`;
    prune the folder when the file is new (or the last pruning is an hour old)."""
    path = snapshot_path(name)
    tmp = None
    try:
        is_new = not path.exists()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=TEMP_PREFIX)
        with os.fdopen(fd, "wb") as handle:
            handle.write(json.dumps(meta).encode() + b"\n" + body)
        os.replace(tmp, path)
    except OSError:
        # A full or read-only disk must not break serving the page itself, nor leave a
        # half-written temporary file per rendering behind.
        logger.warning("could not write the page snapshot %s", path.name, exc_info=True)
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        return
    if is_new or time.monotonic() - _last_prune > PRUNE_EVERY_SECONDS:
        prune()


def read(name: str) -> tuple[dict, bytes] | None:
    """The snapshot `name` as (meta, body), or None when there is none."""
    try:
        head, _, body = snapshot_path(name).read_bytes().partition(b"\n")
        return json.loads(head), body
    except (OSError, ValueError):
        return None


def prune() -> int:
    """Delete the snapshots older than NOROSHI_SNAPSHOT_MAX_AGE_DAYS, then the oldest past
    NOROSHI_SNAPSHOT_MAX_FILES, and temporary files left by a killed writer; return how many
    snapshots were deleted. Other processes may prune at the same time: a file already gone
    is fine."""
    global _last_prune
    _last_prune = time.monotonic()
    now = time.time()
    oldest_kept = now - settings.NOROSHI_SNAPSHOT_MAX_AGE_DAYS * 86400
    snapshots: list[tuple[float, Path]] = []
    try:
        entries = list(os.scandir(snapshot_folder()))
    except OSError:
        return 0
    for entry in entries:
        with contextlib.suppress(OSError):
            modified = entry.stat().st_mtime
            if entry.name.endswith(SUFFIX):
                snapshots.append((modified, Path(entry.path)))
            elif entry.name.startswith(TEMP_PREFIX) and modified < now - TEMP_MAX_AGE_SECONDS:
                os.unlink(entry.path)
    snapshots.sort(reverse=True)
    kept = [(modified, path) for modified, path in snapshots if modified >= oldest_kept]
    doomed = snapshots[len(kept) :] + kept[settings.NOROSHI_SNAPSHOT_MAX_FILES :]
    for _, path in doomed:
        with contextlib.suppress(OSError):
            path.unlink()
    return len(doomed)


def clear() -> int:
    """Delete every snapshot of this host (after a restore, they show what the database no
    longer holds); return how many."""
    removed = 0
    for path in snapshot_folder().glob("*" + SUFFIX):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            removed += 1
    return removed
