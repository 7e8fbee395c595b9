"""The last good rendering of each public response, kept on disk, outside the database and the
cache, so that the page still answers when PostgreSQL (or Redis) is down."""

import json
import logging
import os
import tempfile
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)


def snapshot_path(name: str) -> Path:
    return Path(settings.VAR_DIR) / "snapshots" / (name.replace(":", "_") + ".snap")


def write(name: str, meta: dict, body: bytes) -> None:
    """Replace the snapshot `name` atomically: one file, a JSON line of `meta`, then `body`."""
    path = snapshot_path(name)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(json.dumps(meta).encode() + b"\n" + body)
        os.replace(tmp, path)
    except OSError:
        # A full or read-only disk must not break serving the page itself.
        logger.warning("could not write the page snapshot %s", path.name, exc_info=True)


def read(name: str) -> tuple[dict, bytes] | None:
    """The snapshot `name` as (meta, body), or None when there is none."""
    try:
        head, _, body = snapshot_path(name).read_bytes().partition(b"\n")
        return json.loads(head), body
    except (OSError, ValueError):
        return None
