"""Celery tasks of the incidents domain (run by beat; they take no model instances)."""

import logging

from celery import shared_task

from incidents import changes, services

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_due_maintenance() -> dict[str, list[str]]:
    """Start and complete the maintenance windows that are due (safe to run twice)."""
    moved = services.run_due_maintenance()
    if moved["started"] or moved["completed"]:
        logger.info("maintenance started=%s completed=%s", moved["started"], moved["completed"])
    return moved


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def send_maintenance_reminders() -> list[str]:
    """Announce the maintenance windows that start soon (safe to run twice)."""
    return services.send_due_reminders()


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def publish_due_drafts() -> list[str]:
    """Publish the alerts' drafts that have kept firing for their integration's auto-publish
    minutes (safe to run twice, or in two beats at once: each draft is claimed once)."""
    published = services.publish_due_drafts()
    if published:
        logger.info("drafts published automatically: %s", published)
    return published


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def reconcile_page_stamp() -> bool:
    """Move the page stamp past a change whose mark was lost while the cache was unreachable
    (safe to run twice: a stamp already past the newest change is left alone)."""
    return changes.reconcile_page_stamp()


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def forget_idempotency_keys() -> int:
    """Delete the console's (and the API's) idempotency keys past their keeping time."""
    return services.forget_idempotency_keys()
