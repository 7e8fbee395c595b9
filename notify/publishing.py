"""Handing work to the broker, best-effort.

Whatever is handed over here is written in the database first (a notification not yet fanned
out, a pending delivery), and the sweep hands over again what the broker never got. So a
publish that fails because the broker is refused, hung or gone is logged (the broker's address
without its password), counted in DEPENDENCY_ERRORS{dependency="broker"}, reported to whoever
watches the write (incidents.deferral: the console's notice) and left to the sweep: it never
raises into the request or the service that committed the work. How long a publish may wait
for a broker that does not answer is bounded in settings (CELERY_BROKER_TRANSPORT_OPTIONS,
CELERY_TASK_PUBLISH_RETRY_POLICY).
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from celery import Celery
from kombu.exceptions import KombuError

from incidents import deferral
from incidents.metrics import DEPENDENCY_ERRORS

logger = logging.getLogger(__name__)


def broker_errors(app: Celery) -> tuple[type[BaseException], ...]:
    """What a publish raises when the broker can't be reached: kombu's errors (Celery wraps the
    transport's connection errors in one once its retries are spent), the transport's own
    errors and the socket's. None when tasks run in-process (there is no broker, and an error
    is the task's own)."""
    if app.conf.task_always_eager:
        return ()
    connection = app.connection_for_write()  # an object only: nothing is connected
    return (KombuError, OSError, *connection.connection_errors, *connection.channel_errors)


LEFT_TO_THE_SWEEP = "left to the sweep"


@contextmanager
def best_effort(app: Celery, *, what: str, then: str = LEFT_TO_THE_SWEEP) -> Iterator[None]:
    """Run a hand-over to the broker; when the broker can't be reached, log and count it,
    report it to the watching caller and carry on (`then` says what becomes of `what`)."""
    try:
        yield
    except Exception as error:
        if not isinstance(error, broker_errors(app)):
            raise
        DEPENDENCY_ERRORS.labels(dependency="broker").inc()
        deferral.report_queue_unreachable()
        logger.warning(
            "The broker %s could not be reached: %s not queued, %s. %s: %s",
            app.connection_for_write().as_uri(),  # as_uri() leaves the password out
            what,
            then,
            type(error).__name__,
            error,
        )


def publish(task, args: tuple, *, what: str, then: str = LEFT_TO_THE_SWEEP) -> bool:
    """Queue `task` with `args`; False when the broker could not be reached (see best_effort),
    or was found unreachable moments ago by the same watched write."""
    if deferral.queue_known_unreachable():
        logger.info("%s not queued, %s: the broker was unreachable moments ago", what, then)
        return False
    published = False
    with best_effort(task.app, what=what, then=then):
        task.apply_async(args)
        published = True
    return published
