"""Celery tasks of the incidents domain (run by beat; they take no model instances)."""

import logging

from celery import shared_task

from incidents import services

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_due_maintenance() -> dict[str, list[str]]:
    """Start and complete the maintenance windows that are due (safe to run twice)."""
    moved = services.run_due_maintenance()
    if moved["started"] or moved["completed"]:
        logger.info("maintenance started=%s completed=%s", moved["started"], moved["completed"])
    return moved
