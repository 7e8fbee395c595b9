"""Taking over the work of a worker process that stopped beating (notify.liveness).

At each beat a worker process looks for worker processes whose heartbeat is late, and declares
each one dead with a conditional UPDATE of its heartbeat row (stopped_at), so that exactly one
live process takes over each. In the same transaction it settles the rows the dead one held:

- `sending` rows whose message it had begun to hand over (attempted): e-mail, SMS and Slack
  become `unknown`, never re-sent blindly; webhooks go back to pending, retried under the same
  idempotency key;
- `sending` rows it had only claimed go back to pending, the claim not counted as an attempt;
- these, and the pending rows of the task it was running (its heartbeat's `holding`: its broker
  message would come back only after the broker's visibility timeout), are to be queued again
  once committed — unless sending is paused, when resuming queues them.

A process also gives back its own `sending` rows while it runs no batch: a batch ended by an
error (the database cut mid-send) leaves them so. And a process asked to stop gives back the
pending rest of its batch. What is given back is handed to the broker by the caller
(notify.worker at each beat, notify.tasks.send_deliveries at a stop).
"""

from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone

from notify import liveness
from notify.choices import Channel, DeliveryState, ProcessRole
from notify.delivery import attempts
from notify.delivery.claims import db_now, sending_paused, table
from notify.models import Delivery

LOST = "The worker stopped while sending: it may or may not have been delivered."
LOST_WEBHOOK = "worker lost while sending"


@dataclass
class Settled:
    """What became of a process's rows: `unknown` ones, and the ids queued again."""

    unknown: int = 0
    requeue: list[int] = field(default_factory=list)


def settle_sql() -> str:
    """One statement over the process's `sending` rows, so that each row is judged once under
    its lock (a process taken for dead while alive may be marking one at that moment)."""
    attempted = f"attempted_at IS NOT NULL AND channel <> '{Channel.WEBHOOK}'"
    return f"""
        UPDATE {table(Delivery)} SET
          state = CASE WHEN {attempted} THEN '{DeliveryState.UNKNOWN}'
                  ELSE '{DeliveryState.PENDING}' END,
          attempts = CASE WHEN attempted_at IS NULL THEN attempts - 1 ELSE attempts END,
          finished_at = CASE WHEN {attempted} THEN %s ELSE NULL END,
          error = CASE WHEN {attempted} THEN %s
                  WHEN attempted_at IS NOT NULL THEN %s ELSE error END,
          enqueued_at = NULL
        WHERE claimed_by_id = %s AND state = '{DeliveryState.SENDING}'
        RETURNING id, state
    """


def settle(process_id: int, held: list[int]) -> Settled:
    """Settle the process's `sending` rows and mark enqueued the pending ones to queue again
    (in the caller's transaction)."""
    with connection.cursor() as cursor:
        cursor.execute(settle_sql(), [db_now(), LOST, LOST_WEBHOOK, process_id])
        rows = cursor.fetchall()
    settled = Settled(unknown=sum(1 for _, state in rows if state == DeliveryState.UNKNOWN))
    back = {pk for pk, state in rows if state == DeliveryState.PENDING} | set(held)
    if not back or sending_paused():
        return settled
    due = Delivery.objects.filter(pk__in=back, state=DeliveryState.PENDING).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=timezone.now())
    )
    settled.requeue = sorted(due.values_list("pk", flat=True))
    Delivery.objects.filter(pk__in=settled.requeue).update(enqueued_at=timezone.now())
    return settled


@transaction.atomic
def take_over(process_id: int) -> Settled | None:
    """Declare this worker process dead if its heartbeat is still late, and settle its work;
    None when it is not (it beat again, or another process took it over first)."""
    late = liveness.late(ProcessRole.WORKER).filter(pk=process_id)
    held = list(late.values_list("holding", flat=True))
    if not held or not late.update(stopped_at=Now()):
        return None
    return settle(process_id, [pk for pk in held[0] if isinstance(pk, int)])


def give_back_own(process_id: int) -> Settled | None:
    """Settle the rows this process holds as `sending` though it runs no batch (None: it holds
    none, the usual case: one look at the index delivery_claimed). Those it knows it never
    handed over (attempts.UNSENT) go back untried, whatever their mark says."""
    held = Delivery.objects.filter(claimed_by_id=process_id, state=DeliveryState.SENDING)
    if not held.exists():
        attempts.UNSENT.clear()
        return None
    unsent = set(attempts.UNSENT)
    with transaction.atomic():
        if unsent:
            held.filter(pk__in=unsent).update(attempted_at=None)
        settled = settle(process_id, [])
    attempts.UNSENT.difference_update(unsent)
    return settled


def to_give_back(delivery_ids: list[int]) -> list[int]:
    """This process is stopping: those of its batch's rows still pending and due, to be queued
    again for another worker (or this one, restarted) — none while sending is paused (resuming
    queues them)."""
    if sending_paused():
        return []
    pending = Delivery.objects.filter(pk__in=delivery_ids, state=DeliveryState.PENDING).exclude(
        next_attempt_at__gt=timezone.now()
    )
    return list(pending.values_list("pk", flat=True))
