"""The answers owed to sign-ups (a subscriber's `confirmation_due_at`): written in the sign-up's
transaction, queued on commit (notify.on_commit), claimed once by the task that sends the answer,
or found by the sweep when no worker claimed one by its due time."""

from datetime import timedelta

from django.conf import settings

from notify.models import Subscriber

# An answer still unclaimed this long after its sign-up is assumed lost between commit and
# queue, and handed over again by the sweep.
ANSWER_GRACE = timedelta(seconds=5)


def claim(subscriber_id: int) -> bool:
    """Take the answer owed to a sign-up for sending: True for one caller only, so that a task
    run twice, or handed over again by the sweep, sends it once. What is owed is cleared before
    the message leaves: a worker killed in between loses it rather than send it twice (signing
    up again asks for it again)."""
    owed = Subscriber.objects.filter(pk=subscriber_id, confirmation_due_at__isnull=False)
    return owed.update(confirmation_due_at=None) == 1


def overdue(now) -> list[int]:
    """Subscribers owed the answer to a sign-up that no worker claimed by its due time (the
    broker did not take it, or lost it); each is due again NOTIFY_REQUEUE_SECONDS later, so
    that the next sweeps leave it to the worker that has it queued. Rows another sweep is
    handing over right now are skipped (two beats hand each over once). Call inside the
    sweep's transaction."""
    due = Subscriber.objects.filter(confirmation_due_at__lte=now).order_by("confirmation_due_at")
    ids = list(due.select_for_update(skip_locked=True).values_list("id", flat=True)[:1000])
    again = now + timedelta(seconds=settings.NOTIFY_REQUEUE_SECONDS)
    Subscriber.objects.filter(pk__in=ids).update(confirmation_due_at=again)
    return ids
