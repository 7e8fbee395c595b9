"""Beat's work for the public site: keeping a static export current."""

from celery import shared_task

from statuspage import static_export


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def export_static_page_when_changed() -> bool:
    """Export the page to NOROSHI_STATIC_EXPORT_DIR if it changed since the last export (or
    that export is NOROSHI_STATIC_EXPORT_REFRESH_SECONDS old). Safe to run twice: each run
    writes a complete folder and swaps it in whole."""
    return static_export.export_when_changed()
