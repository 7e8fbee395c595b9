"""Celery tasks of the notifications, and the hand-over of delivery ids to them. The tasks
take ids, do one piece of work, and are safe to run twice (acks_late + reject_on_worker_lost:
a killed worker's task runs again).

What a write defers to its commit reaches these tasks through notify.on_commit; the tasks
themselves import only the layers below the services (delivery, fan-out, the sweep's finds),
so nothing here imports a service, and no service imports this module but through on_commit.
"""

import logging
from functools import partial

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from incidents import deferral, selectors
from notify import (
    chase,
    delivery,
    fanout,
    liveness,
    lost_work,
    owed_answers,
    publishing,
    update_reminders,
)
from notify.channels.base import DeliveryError, RetryableError
from notify.confirmations import answer_sign_up
from notify.delivery import takeover

logger = logging.getLogger(__name__)

TASK_OPTIONS = {"acks_late": True, "reject_on_worker_lost": True, "ignore_result": True}


def queue_sends(delivery_ids: list[int]) -> None:
    """Mark these pending deliveries enqueued and hand them to the broker in chunks of ids."""
    hand_over(fanout.chunks(delivery_ids), marked=False)


def queue_new(delivery_ids: list[int]) -> None:
    """Hand rows the fan-out has just written (already marked enqueued) to the broker."""
    hand_over(fanout.chunks(delivery_ids), marked=True)


def hand_over(chunks: list[list[int]], *, marked: bool) -> None:
    """Hand the chunks to the broker on one connection, each marked enqueued (unless `marked`
    already) just before it goes. Best-effort (notify.publishing): the chunks the broker did
    not take are marked not enqueued, so that the next sweep hands them over rather than
    waiting NOTIFY_REQUEUE_SECONDS for a message that was never sent."""
    left = list(chunks)
    if left and not deferral.queue_known_unreachable():
        what = f"the sending of {sum(map(len, chunks))} deliveries"
        with (
            publishing.best_effort(send_deliveries.app, what=what),
            send_deliveries.app.producer_or_acquire() as producer,
        ):
            while left:
                if not marked:
                    fanout.mark_enqueued(left[0])
                send_deliveries.apply_async(
                    (left[0],), producer=producer, argsrepr=ids_repr(left[0])
                )
                left.pop(0)
    for chunk in left:
        fanout.mark_not_enqueued(chunk)


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
    added = 0
    for ids in fanout.write_deliveries(notification_id):
        # At once when the range is committed (or with the caller's transaction, if any).
        transaction.on_commit(partial(queue_new, ids))
        added += len(ids)
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
    heartbeat meanwhile: if it dies, the pending ones are queued again at once. When this
    process is asked to stop, the pending rest of the batch is queued again ('given_back')."""
    liveness.hold(delivery_ids)
    try:
        counts = delivery.deliver_batch(delivery_ids)
        if liveness.stopping.is_set():
            given_back = takeover.to_give_back(delivery_ids)
            queue_sends(given_back)
            if given_back:
                counts["given_back"] = len(given_back)
        return counts
    finally:
        liveness.hold([])


@shared_task(**TASK_OPTIONS)
def send_confirmation(subscriber_id: int) -> None:
    """Send the answer owed to a sign-up (the link or code that confirms a subscription, or a
    notice with the link that manages one), once: nothing when it was claimed already."""
    if not owed_answers.claim(subscriber_id):
        return
    try:
        answer_sign_up(subscriber_id)
    except RetryableError as error:
        owed = owed_answers.owe_again(subscriber_id, retry_after=error.retry_after)
        logger.warning(
            "the answer to subscriber %s was refused for now (%s): %s",
            subscriber_id,
            type(error).__name__,
            "owed again" if owed else "given up after NOROSHI_RETRY_GIVE_UP_SECONDS",
        )
        return
    except DeliveryError as error:  # refused for good, or lost with no answer: never again
        logger.warning(
            "the answer to subscriber %s was not sent: %s", subscriber_id, type(error).__name__
        )
    owed_answers.settle(subscriber_id)


@shared_task(**TASK_OPTIONS)
def sweep() -> dict[str, int]:
    """Fan out lost notifications, re-queue idle pending deliveries, settle stuck ones, and
    hand over the answers to sign-ups still owed (notify.lost_work)."""
    result = lost_work.find_lost_work()
    with deferral.watch():  # a broker found unreachable is not waited for again in this run
        for notification_id in result.fan_out:
            publishing.publish(fan_out, (notification_id,), what=f"notification {notification_id}")
        for subscriber_id in result.confirm:
            what = f"the confirmation of subscriber {subscriber_id}"
            publishing.publish(send_confirmation, (subscriber_id,), what=what)
        queue_new(result.requeue)  # marked enqueued by the sweep's own transaction
    return {
        "fan_out": len(result.fan_out),
        "confirmations": len(result.confirm),
        "requeued": len(result.requeue),
        "unknown": result.unknown,
        "retried": result.retried,
    }


@shared_task(**TASK_OPTIONS)
def chase_overdue_actions() -> list[str]:
    """E-mail the owners of overdue recovery actions, once a day per action (safe to run
    twice: the second run the same day finds every action chased and sends nothing).

    "Today" is the day in the page's time zone, which is also the zone of the due dates.
    """
    today = timezone.now().astimezone(selectors.page_time_zone()).date()
    chased = chase.chase_overdue_actions(today=today)
    if chased:
        logger.info("chased overdue recovery actions %s", chased)
    return chased


@shared_task(**TASK_OPTIONS)
def remind_silent_incidents() -> list[str]:
    """Remind on-call of the open incidents that have had no public update for a whole
    interval of the page's reminder minutes, once per interval (safe to run twice, or in two
    beats at once: each interval is claimed before it is reminded of)."""
    reminded = update_reminders.remind_silent_incidents(now=timezone.now())
    if reminded:
        logger.info("reminded on-call of silent incidents %s", reminded)
    return reminded
