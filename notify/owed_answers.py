"""The answers owed to sign-ups (a subscriber's `confirmation_due_at`): written in the sign-up's
transaction, queued on commit (notify.on_commit), claimed once by the task that sends the answer,
or found by the sweep when no worker claimed one by its due time. One the provider refused for
now (RetryableError) is owed again, later, until NOROSHI_RETRY_GIVE_UP_SECONDS after it was
first asked for; one refused for good, or lost with no answer (it may have arrived), is not."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from notify.models import Subscriber
from notify.retry_rules import at_least_retry_after, backoff_since, past_give_up

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


def owe_again(subscriber_id: int, *, retry_after: float | None = None) -> bool:
    """The provider refused the answer for now: owe it again, due after a wait that grows with
    how long it has been owed (retry_rules.backoff_since, or the provider's Retry-After if
    longer); False, and nothing owed any more, once it has been owed past the give-up age
    (retry_rules.past_give_up)."""
    now = timezone.now()
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None:
        return False
    owed_since = subscriber.answer_owed_since or now
    if past_give_up(owed_since, now):
        settle(subscriber_id)
        return False
    wait = at_least_retry_after(backoff_since(owed_since, now), retry_after)
    Subscriber.objects.filter(pk=subscriber_id).update(
        confirmation_due_at=now + wait, answer_owed_since=owed_since
    )
    return True


def settle(subscriber_id: int) -> None:
    """The answer went, or will never go: nothing is owed since any time."""
    Subscriber.objects.filter(pk=subscriber_id, confirmation_due_at__isnull=True).update(
        answer_owed_since=None
    )
