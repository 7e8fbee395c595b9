"""RabbitMQ as the broker of an end-to-end test: a fixture, parametrized over the run's own
broker and RabbitMQ, that points this process and the workers it starts at the broker.

Outside CI a RabbitMQ that does not answer skips its variant, saying why; in CI
(NOROSHI_REQUIRE_SERVICES) the run has already stopped at tests/conftest.py's guard.
"""

import pytest
from django.test import override_settings

from statuspage.broker_options import transport_options
from statuspage.celery import app
from tests.rabbitmq import RABBITMQ_URL, delete_amqp_queue, rabbitmq_problem


def use_broker(url: str, options: dict) -> None:
    """Point this process's Celery app at `url`, forgetting its pools (kombu keeps one per
    process, bound to the broker it was made for)."""
    app._pool = None
    app.amqp._producer_pool = None
    app.conf.broker_url = url
    app.conf.broker_transport_options = options


@pytest.fixture(autouse=True, params=["run's broker", "rabbitmq"])
def broker_of_the_run_or_rabbitmq(request, settings, worker_queue):
    """The run's broker (filesystem or Redis) or RabbitMQ; set up after `worker_queue`, so
    the RabbitMQ queue is deleted here before that fixture forgets the run's."""
    if request.param != "rabbitmq":
        yield settings.CELERY_BROKER_URL
        return
    if problem := rabbitmq_problem():
        pytest.skip(problem)
    saved = (app.conf.broker_url, app.conf.broker_transport_options)
    options = transport_options(
        RABBITMQ_URL, timeout=settings.BROKER_TIMEOUT, folder=settings.CELERY_BROKER_DIR
    )
    use_broker(RABBITMQ_URL, options)
    try:
        # Read by tests.e2e.conftest.worker_environment: the workers use it too. Restored
        # here, before `worker_queue` forgets the run broker's queue.
        with override_settings(
            CELERY_BROKER_URL=RABBITMQ_URL, CELERY_BROKER_TRANSPORT_OPTIONS=options
        ):
            yield RABBITMQ_URL
    finally:
        use_broker(*saved)
        delete_amqp_queue(RABBITMQ_URL, worker_queue)
