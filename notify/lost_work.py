"""The sweep's look for work that fell between the cracks, run by the periodic task
notify.tasks.sweep, which hands what it finds to the broker.

Everything here was committed, and queued on commit, best-effort (notify.on_commit): what the
broker never got, or a worker lost, is found here and handed over again, each row once even
when two beats sweep at once.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from notify import liveness, owed_answers
from notify.choices import Channel, DeliveryState
from notify.delivery import takeover
from notify.models import Delivery, Notification, ProcessHeartbeat, SendingSwitch

# Fan-out is queued on commit; a notification still not fanned out this long after is
# assumed lost between commit and queue, and fanned out by the sweep.
FAN_OUT_GRACE = timedelta(seconds=5)


@dataclass
class LostWork:
    fan_out: list[int] = field(default_factory=list)
    requeue: list[int] = field(default_factory=list)
    confirm: list[int] = field(default_factory=list)  # subscribers owed the answer to a sign-up
    unknown: int = 0
    retried: int = 0
    forgotten_processes: int = 0


@transaction.atomic
def find_lost_work(*, limit: int = 20000) -> LostWork:
    """Find what fell between the cracks: notifications not fanned out, pending deliveries
    nobody is working on (marked enqueued here, so that two sweeps at once — two beats — hand
    each over once), and deliveries still `sending` that no live worker holds (never re-sent
    blindly: e-mail and SMS become `unknown`, webhooks are retried under the same idempotency
    key). A worker that dies is taken over by the live ones within seconds
    (notify.delivery.takeover); the sweep settles what that leaves: rows of a process that
    stopped, and rows claimed by a process that had no heartbeat, once NOTIFY_STUCK_SECONDS
    have passed. And the sign-ups whose answer is owed and was never claimed."""
    now = timezone.now()
    result = LostWork()
    result.fan_out = list(
        Notification.objects.filter(fanned_out_at__isnull=True, created_at__lt=now - FAN_OUT_GRACE)
        .order_by("id")
        .values_list("id", flat=True)[:1000]
    )
    settle_stuck(result, now)
    result.confirm = owed_answers.overdue(now)
    if not SendingSwitch.objects.filter(id=1, paused=True).exists():
        requeue_after = timedelta(seconds=settings.NOTIFY_REQUEUE_SECONDS)
        due = (
            Delivery.objects.filter(state=DeliveryState.PENDING)
            .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - requeue_after))
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        )
        # Rows another sweep is handing over right now are skipped; once it commits they are
        # no longer idle.
        taken = due.order_by("id").select_for_update(skip_locked=True).values_list("id", flat=True)
        result.requeue = sorted(set(result.requeue) | set(taken[:limit]))
        Delivery.objects.filter(pk__in=result.requeue).update(enqueued_at=now)
    result.forgotten_processes = liveness.forget_long_stopped()
    return result


def settle_stuck(result: LostWork, now) -> None:
    """Rows left `sending` by a worker process that stopped, or claimed by a process without a
    heartbeat and not finished within NOTIFY_STUCK_SECONDS."""
    stopped = ProcessHeartbeat.objects.filter(stopped_at__isnull=False).values("pk")
    orphaned = Delivery.objects.filter(state=DeliveryState.SENDING, claimed_by__in=stopped)
    for process_id in set(orphaned.values_list("claimed_by_id", flat=True)):
        settled = takeover.settle(process_id, [])
        result.unknown += settled.unknown
        result.requeue += settled.requeue
    stuck_after = timedelta(seconds=settings.NOTIFY_STUCK_SECONDS)
    stuck = Delivery.objects.filter(
        state=DeliveryState.SENDING, claimed_by__isnull=True, claimed_at__lt=now - stuck_after
    )
    result.retried = stuck.filter(channel=Channel.WEBHOOK).update(
        state=DeliveryState.PENDING, enqueued_at=None, error=takeover.LOST_WEBHOOK
    )
    result.unknown += stuck.exclude(channel=Channel.WEBHOOK).update(
        state=DeliveryState.UNKNOWN, finished_at=now, error=takeover.LOST
    )
