"""Celery tasks of the notifications. They take ids, call one service, and are safe to run
twice (acks_late + reject_on_worker_lost: a killed worker's task runs again)."""

import logging

from celery import shared_task
from django.utils import timezone
from kombu.exceptions import OperationalError

from notify import delivery, fanout, liveness, services
from notify.choices import DeliveryState
from notify.models import Delivery

logger = logging.getLogger(__name__)

TASK_OPTIONS = {"acks_late": True, "reject_on_worker_lost": True, "ignore_result": True}


def queue_sends(delivery_ids: list[int]) -> None:
    """Mark these pending deliveries enqueued and hand them to the broker in chunks of ids."""
    for chunk in fanout.chunks(delivery_ids):
        fanout.mark_enqueued(chunk)
        send_deliveries.apply_async((chunk,), argsrepr=ids_repr(chunk))


def queue_new(delivery_ids: list[int]) -> None:
    """Hand rows the fan-out has just written (already marked enqueued) to the broker, on one
    connection for all the chunks."""
    with send_deliveries.app.producer_or_acquire() as producer:
        for chunk in fanout.chunks(delivery_ids):
            send_deliveries.apply_async((chunk,), producer=producer, argsrepr=ids_repr(chunk))


def queue_again(delivery_ids: list[int]) -> None:
    """Queue again pending deliveries that a stopping or dead worker gave back. When the broker
    cannot be reached they are left to the sweep, due at its next run."""
    try:
        queue_sends(delivery_ids)
    except (OperationalError, OSError) as error:
        Delivery.objects.filter(pk__in=delivery_ids, state=DeliveryState.PENDING).update(
            enqueued_at=None
        )
        logger.warning("%s deliveries left to the sweep: %s", len(delivery_ids), error)


def ids_repr(chunk: list[int]) -> str:
    """How a chunk shows in Celery's logs and events: its size and ends, not 500 numbers
    (Celery would print them all, for each chunk, on the fan-out's clock)."""
    return f"([{len(chunk)} ids {chunk[0]}…{chunk[-1]}],)" if chunk else "([],)"


@shared_task(**TASK_OPTIONS)
def fan_out(notification_id: int) -> int:
    """Write the notification's delivery rows and queue their sending in chunks of ids, each
    range of subscribers as soon as it is committed. A re-run also queues the rows an earlier
    run wrote that are still pending (it may have died before queueing them)."""
    started = timezone.now()
    added = fanout.fan_out(notification_id, queue=queue_new)
    again = fanout.pending_before(notification_id, started)
    queue_sends(again)
    logger.info(
        "notification %s: %s deliveries added, %s queued again",
        notification_id,
        added,
        len(again),
    )
    return added


@shared_task(**TASK_OPTIONS)
def send_deliveries(delivery_ids: list[int]) -> dict[str, int]:
    """Send the deliveries this worker can claim. The ids are published on this process's
    heartbeat meanwhile: if it dies, the pending ones are queued again at once."""
    liveness.hold(delivery_ids)
    try:
        return delivery.deliver_batch(delivery_ids)
    finally:
        liveness.hold([])


@shared_task(**TASK_OPTIONS)
def send_confirmation(subscriber_id: int) -> None:
    """Send a subscriber the link that confirms their subscription."""
    from notify.confirmations import send_confirmation as confirm_on_channel

    confirm_on_channel(subscriber_id)


@shared_task(**TASK_OPTIONS)
def sweep() -> dict[str, int]:
    """Fan out lost notifications, re-queue idle pending deliveries, settle stuck ones."""
    result = services.sweep()
    for notification_id in result.fan_out:
        fan_out.delay(notification_id)
    queue_new(result.requeue)  # marked enqueued by the sweep's own transaction
    return {
        "fan_out": len(result.fan_out),
        "requeued": len(result.requeue),
        "unknown": result.unknown,
        "retried": result.retried,
    }
