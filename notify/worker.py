"""What a worker process does at each of its heartbeats (notify.liveness), beside its tasks:
take over the work of worker processes that stopped beating, and give back what it still
holds while it runs no batch (notify.delivery.takeover decides and settles the rows); what is
taken over or given back is handed to the broker at once, best-effort (the sweep hands over
what the broker does not take)."""

import logging

from notify import liveness, tasks
from notify.choices import ProcessRole
from notify.delivery import takeover

logger = logging.getLogger(__name__)


def look_after(process_id: int) -> None:
    """At each beat of a worker process: take over the worker processes that stopped beating,
    and give back what this one still holds while it runs no batch."""
    late = liveness.late(ProcessRole.WORKER).exclude(pk=process_id)
    for dead in late.values_list("pk", flat=True):
        settled = takeover.take_over(dead)
        if settled is not None:
            logger.warning(
                "worker process %s stopped beating: taken over by %s; %s unknown, %s queued again",
                dead,
                process_id,
                settled.unknown,
                len(settled.requeue),
            )
            tasks.queue_sends(settled.requeue)
    if liveness.sending.acquire(blocking=False):
        try:
            own = takeover.give_back_own(process_id)
        finally:
            liveness.sending.release()
        if own is not None:
            logger.warning("gave back %s deliveries left by a batch that failed", len(own.requeue))
            tasks.queue_sends(own.requeue)
