"""When a message the provider refused for now is tried again, and when it is given up: the
rules a delivery (notify.delivery) and a sign-up's answer (notify.owed_answers) share.

Both are retried however many times it takes, with a wait between NOTIFY_RETRY_BASE_SECONDS
and NOTIFY_RETRY_MAX_SECONDS (or the provider's Retry-After when that is longer), until
NOTIFY_RETRY_GIVE_UP_SECONDS after they were first asked for. Only the settings are read: no
query, so that both layers can stand on this one."""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone


def backoff(attempts: int) -> timedelta:
    """The wait before the next try of a delivery tried `attempts` times: the base
    (NOTIFY_RETRY_BASE_SECONDS, 30 s) doubled for each try after the first, at most
    NOTIFY_RETRY_MAX_SECONDS (30 min)."""
    base, ceiling = settings.NOTIFY_RETRY_BASE_SECONDS, settings.NOTIFY_RETRY_MAX_SECONDS
    # Past 40 doublings any ceiling is reached; a larger power would overflow the float.
    return timedelta(seconds=min(base * 2 ** min(attempts - 1, 40), ceiling))


def backoff_since(since: datetime, now: datetime) -> timedelta:
    """The wait before the next try of something first asked for at `since`: as long as it has
    waited so far, at least NOTIFY_RETRY_BASE_SECONDS and at most NOTIFY_RETRY_MAX_SECONDS
    (what is not counted in attempts, as a sign-up's answer, still waits longer each time)."""
    waited = (now - since).total_seconds()
    base, ceiling = settings.NOTIFY_RETRY_BASE_SECONDS, settings.NOTIFY_RETRY_MAX_SECONDS
    return timedelta(seconds=min(max(waited, base), ceiling))


def at_least_retry_after(wait: timedelta, retry_after: float | None) -> timedelta:
    """The wait, or the provider's Retry-After (seconds) when that is longer."""
    if retry_after is None:
        return wait
    return max(wait, timedelta(seconds=retry_after))


def past_give_up(since: datetime, now: datetime | None = None) -> bool:
    """Whether something first asked for at `since` (a delivery: its creation, by its fan-out,
    not its notification's, so that a fan-out the sweep makes late still gets the whole age)
    is older than the give-up age (NOTIFY_RETRY_GIVE_UP_SECONDS, 24 h unless set): its next
    transient failure is its last."""
    age = timedelta(seconds=settings.NOTIFY_RETRY_GIVE_UP_SECONDS)
    return (now or timezone.now()) - since >= age


def gave_up(error: str) -> str:
    """The error a delivery given up ends with: the give-up age, then the last error."""
    return f"gave up after {span(settings.NOTIFY_RETRY_GIVE_UP_SECONDS)}: {error}"


def span(seconds: float) -> str:
    """A duration as people write it: '24 h', '90 min', '45 s'."""
    whole = round(seconds)
    if whole and whole % 3600 == 0:
        return f"{whole // 3600} h"
    if whole and whole % 60 == 0:
        return f"{whole // 60} min"
    return f"{whole} s"
