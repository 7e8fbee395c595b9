"""Each end-to-end test's tasks go to a queue of its own on the shared broker, deleted when the
test ends (with what a killed worker left unacknowledged on it): two runs sharing one Redis never
take each other's tasks, and the suite leaves the broker as it found it."""

import contextlib
import json
import uuid
from collections.abc import Iterator

from django.conf import settings
from kombu import Connection, Exchange, Queue

from statuspage.celery import app


@contextlib.contextmanager
def queue_of_its_own() -> Iterator[str]:
    """This process's tasks go to a new queue while the block runs; then it is deleted."""
    queue = f"noroshi-e2e-{uuid.uuid4().hex[:12]}"
    saved = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    try:
        yield queue
    finally:
        app.conf.task_default_queue = saved
        forget_queue(queue)


def forget_queue(queue: str) -> None:
    """Delete the per-run queue and its bindings from a shared broker (Redis)."""
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        return  # the worker's own var/ in tmp_path
    # Celery's default queue: a direct exchange and a routing key both named after the queue.
    with Connection(settings.CELERY_BROKER_URL, connect_timeout=3) as broker:
        bound = Queue(queue, Exchange(queue, type="direct"), routing_key=queue)(
            broker.default_channel
        )
        bound.declare()
        bound.delete()
    forget_unacked(queue)


def forget_unacked(queue: str) -> None:
    """Drop the queue's messages that a killed worker left unacknowledged: kombu's Redis
    transport keeps them, for redelivery, in a hash of [message, exchange, routing key] and an
    index of delivery times shared by every queue of the database."""
    import redis

    if not settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
        return
    with redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=5) as server:
        left = [tag for tag, entry in server.hscan_iter("unacked") if json.loads(entry)[2] == queue]
        if left:
            server.hdel("unacked", *left)
            server.zrem("unacked_index", *left)
