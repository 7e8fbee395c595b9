"""When beat exports the page again (NOROSHI_STATIC_EXPORT_DIR set): after the page changed,
as incidents.changes' page stamp says, and in any case once the export is
NOROSHI_STATIC_EXPORT_REFRESH_SECONDS old (the uptime bars and "today" move on with the clock
even when nothing is posted). Beat runs the check every NOROSHI_STATIC_EXPORT_SECONDS, so the
folder is never rewritten more often than that.

What was exported last is recorded beside the folder (`.DIR.export.json`): the page stamp read
*before* that export began, so a change made while it ran is exported by the next check.
"""

import json
import logging
import time
from pathlib import Path

from django.conf import settings

from incidents.changes import page_changed_at
from incidents.shared_cache import CacheDown
from statuspage.static_export.folder import publish
from statuspage.static_export.render import PageRenderer

logger = logging.getLogger(__name__)


def record_path(target: Path) -> Path:
    target = target.absolute()
    return target.with_name(f".{target.name}.export.json")


def last_export(target: Path) -> dict | None:
    try:
        return json.loads(record_path(target).read_text())
    except (OSError, ValueError):
        return None


def export_and_record(target: Path, *, stamp: float | None, base_url: str = "") -> int:
    """Export the page to `target` (its feeds linking to `base_url` when given) and record
    `stamp` (the page stamp read before it) as what it holds. Return how many files it
    holds."""
    count = publish(PageRenderer(base_url=base_url).files(), target)
    record = {"page_changed_at": stamp, "exported_at": time.time(), "files": count}
    record_path(target).write_text(json.dumps(record))
    return count


def is_current(record: dict | None, stamp: float, now: float) -> bool:
    if record is None or record.get("page_changed_at") is None:
        return False
    fresh = now - record["exported_at"] < settings.NOROSHI_STATIC_EXPORT_REFRESH_SECONDS
    return stamp <= record["page_changed_at"] and fresh


def export_when_changed() -> bool:
    """Export the page to NOROSHI_STATIC_EXPORT_DIR unless the last export there already holds
    the page as it is. Return whether it exported. Does nothing while the shared cache (which
    holds the page stamp) is unreachable: the export in place stays, and the next check after
    the cache is back catches up. Raises ExportError when a page answers with an error."""
    folder = settings.NOROSHI_STATIC_EXPORT_DIR
    if not folder:
        return False
    target = Path(folder)
    try:
        stamp = page_changed_at()
    except CacheDown:
        logger.warning("static export skipped: the page stamp cannot be read (cache down)")
        return False
    if is_current(last_export(target), stamp, time.time()):
        return False
    count = export_and_record(target, stamp=stamp, base_url=settings.NOROSHI_STATIC_EXPORT_BASE_URL)
    logger.info("static export: %d files written to %s", count, target)
    return True
