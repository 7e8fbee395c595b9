"""The RabbitMQ the tests may use as Celery's broker (NOROSHI_TEST_RABBITMQ_URL, by default
the one CI runs on 127.0.0.1:5672 with RabbitMQ's guest account)."""

import os

from kombu import Connection, Exchange, Queue

RABBITMQ_URL = os.environ.get("NOROSHI_TEST_RABBITMQ_URL") or "amqp://guest:guest@127.0.0.1:5672//"


def rabbitmq_problem(url: str = RABBITMQ_URL) -> str | None:
    """Why RabbitMQ at `url` cannot be used, or None when it answers."""
    try:
        with Connection(url, connect_timeout=3) as broker:
            broker.ensure_connection(max_retries=1)
    except Exception as error:  # kombu, amqp and the OS each raise their own errors
        return f"RabbitMQ at {url} is unreachable: {error!r}"
    return None


def delete_amqp_queue(url: str, queue: str) -> None:
    """Delete Celery's queue `queue` (and its direct exchange of the same name) from the
    broker, with whatever messages are left in it."""
    with Connection(url, connect_timeout=3) as broker:
        channel = broker.default_channel
        bound = Queue(queue, Exchange(queue, type="direct"), routing_key=queue)(channel)
        bound.declare()
        bound.delete()
        bound.exchange.delete()
