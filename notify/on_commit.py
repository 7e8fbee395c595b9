"""Work the notifications defer to the commit of the caller's transaction, named so: each
`*_on_commit` function registers, in the open transaction (or runs now, when there is none),
the hand-over of ids to the broker once the rows they name are committed.

The hand-over is best-effort (notify.publishing): the rows are committed whatever happens to
it, and a broker that can't be reached is logged, counted and left to the sweep, which
fans out the notifications not fanned out after FAN_OUT_GRACE and hands over again the
pending deliveries not enqueued, and the answers to sign-ups still owed (the subscriber's
`confirmation_due_at`) after ANSWER_GRACE. Each callback is registered `robust`: one
that fails for any other reason is logged by Django and stops neither the callbacks after it
nor the request.
"""

from collections.abc import Callable
from functools import partial, update_wrapper

from django.db import transaction

from notify import publishing, tasks


def defer(work: Callable[..., None], *args) -> None:
    """Run work(*args) once the open transaction commits (now if none), robust: a failure is
    logged by Django, under the work's name, and stops nothing else."""
    # Django names a failed robust callback by its __qualname__, which a bare partial lacks.
    transaction.on_commit(update_wrapper(partial(work, *args), work), robust=True)


def fan_out_on_commit(notification_id: int) -> None:
    """Queue the fan-out of a notification (outbox row) once it is committed."""
    defer(publish_fan_out, notification_id)


def publish_fan_out(notification_id: int) -> None:
    publishing.publish(
        tasks.fan_out, (notification_id,), what=f"the fan-out of notification {notification_id}"
    )


def sends_on_commit(delivery_ids: list[int]) -> None:
    """Queue the sending of pending deliveries (marked enqueued as they go) once committed."""
    defer(publish_sends, list(delivery_ids))


def publish_sends(delivery_ids: list[int]) -> None:
    tasks.queue_sends(delivery_ids)


def sweep_on_commit() -> None:
    """Queue a sweep at once (rather than at beat's next tick) once committed."""
    defer(publish_sweep)


def publish_sweep() -> None:
    publishing.publish(tasks.sweep, (), what="a sweep now", then="beat's next sweep will do")


def confirmation_on_commit(subscriber_id: int) -> None:
    """Queue the message asking a subscriber to confirm, once the subscription is committed."""
    defer(publish_confirmation, subscriber_id)


def publish_confirmation(subscriber_id: int) -> None:
    publishing.publish(
        tasks.send_confirmation,
        (subscriber_id,),
        what=f"the confirmation of subscriber {subscriber_id}",
    )
