"""What became of the work a write deferred to its commit, for the code that answers its user.

Work queued on commit (announcing an update, sending a confirmation) is best-effort: the write
is committed whatever happens to it, and the outbox and the sweep deliver what could not be
queued. Whoever queues it reports here when the queue could not be reached; a caller that
wants to tell its user (the console: "posted, notifications will follow") watches the work it
runs with watch(). Lives in the domain's lowest layer, so that the notifications can report
and the console can read without importing each other.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass
class DeferredOutcome:
    """Filled in while watched: whether some work could not be handed to the queue."""

    queue_unreachable: bool = False


_watched: ContextVar[DeferredOutcome | None] = ContextVar("deferred_outcome", default=None)


@contextmanager
def watch() -> Iterator[DeferredOutcome]:
    """Collect, until the block ends, what the on-commit work run inside it reports."""
    outcome = DeferredOutcome()
    token = _watched.set(outcome)
    try:
        yield outcome
    finally:
        _watched.reset(token)


def report_queue_unreachable() -> None:
    """Record that work could not be queued (it is left to the sweep)."""
    outcome = _watched.get()
    if outcome is not None:
        outcome.queue_unreachable = True


def queue_known_unreachable() -> bool:
    """Whether the watched work already found the queue unreachable: the rest of it need not
    wait for the broker's timeouts again, the sweep will queue it too."""
    outcome = _watched.get()
    return outcome is not None and outcome.queue_unreachable
