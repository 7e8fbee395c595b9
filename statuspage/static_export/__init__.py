"""The public page as static files (`manage.py export_static_page DIR`, and beat when
NOROSHI_STATIC_EXPORT_DIR is set), so that the page can be hosted apart from what it reports
on: object storage, a CDN, any web server.

`render` walks and renders the page through the real views, `paths` says where each address
lands in the folder, `folder` swaps a finished export in with one rename, `schedule` decides
when beat exports again and records what each export holds.
"""

from pathlib import Path

from incidents.changes import page_changed_at
from incidents.shared_cache import CacheDown
from statuspage.static_export.render import ExportError
from statuspage.static_export.schedule import export_and_record, export_when_changed

__all__ = ["ExportError", "export_static_page", "export_when_changed"]


def export_static_page(target: Path, *, base_url: str = "") -> int:
    """Write the public page, in every language, as static files at `target` (replacing the
    previous export in one step); with `base_url` (where the folder is hosted) the feeds link
    to the exported pages there instead of the live site. Return how many files it holds.
    Raises ExportError when a page answers with an error or `target` is in the way; the
    previous export then stays."""
    try:
        stamp: float | None = page_changed_at()
    except CacheDown:
        stamp = None  # unknown: beat's next check exports again
    return export_and_record(target, stamp=stamp, base_url=base_url)
