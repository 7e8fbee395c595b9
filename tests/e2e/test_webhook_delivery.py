"""Real worker, real broker, a real HTTPS receiver: every matching confirmed webhook and Slack
subscriber gets exactly one request per announcement, and a send whose answer was lost is
retried under the same Idempotency-Key, so a de-duplicating receiver acts on it once."""

import time

import pytest
from django.utils import timezone

from incidents import services
from notify.models import Delivery, Subscriber
from statuspage.celery import app
from tests.e2e.conftest import settled, start_worker, stop_worker, wait_for, wait_until_ready
from tests.webhook_receiver import DROP, WebhookReceiver

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("worker_queue"),
]


@pytest.fixture
def receiver():
    with WebhookReceiver() as running:
        yield running


def worker_env(receiver: WebhookReceiver) -> dict[str, str]:
    return {
        "NOROSHI_WEBHOOK_ALLOW_NETWORKS": "127.0.0.1/32",
        "NOROSHI_WEBHOOK_CA_BUNDLE": str(receiver.ca_path),
        "NOROSHI_SLACK_HOSTS": "127.0.0.1",
        "NOROSHI_SWEEP_SECONDS": "1",
        "NOROSHI_STUCK_SECONDS": "3",
        "NOROSHI_REQUEUE_SECONDS": "3",
        "NOROSHI_MAINTENANCE_CHECK_SECONDS": "60",
    }


def subscriber(receiver: WebhookReceiver, channel: str, path: str, **fields) -> Subscriber:
    fields.setdefault("confirmed_at", timezone.now())
    components = fields.pop("components", [])
    row = Subscriber.objects.create(channel=channel, address=receiver.url(path), **fields)
    row.components.set(components)
    if channel == "webhook":
        receiver.secrets[path] = row.secret
    return row


@pytest.fixture
def outage():
    """Declared before anyone subscribes (so no component event is due), API down."""
    api, web = services.create_component(name="API"), services.create_component(name="Web")
    incident = services.declare_incident(
        name="Elevated API errors",
        body="Investigating.",
        component_statuses={api: "major_outage"},
        deliver_notifications=False,
    )
    return incident, api, web


def test_each_matching_webhook_and_slack_subscriber_gets_one_request(tmp_path, receiver, outage):
    incident, api, web = outage
    for n in range(3):
        subscriber(receiver, "webhook", f"/hooks/{n}")
    subscriber(receiver, "webhook", "/hooks/api", components=[api])
    subscriber(receiver, "webhook", "/hooks/other", components=[web])
    subscriber(receiver, "webhook", "/hooks/unconfirmed", confirmed_at=None)
    subscriber(receiver, "webhook", "/hooks/gone", unsubscribed_at=timezone.now())
    subscriber(receiver, "slack", "/services/T1/B1/yes")
    subscriber(receiver, "slack", "/services/T1/B1/no", confirmed_at=None)

    worker = start_worker(
        tmp_path, app.conf.task_default_queue, worker_env(receiver), concurrency=2
    )
    try:
        wait_until_ready(worker)
        services.post_update(incident=incident, status="identified", body="A bad deploy.")
        wait_for(lambda: Delivery.objects.count() == 5 and settled(), "every delivery", worker)
        time.sleep(2)  # anything still in flight would land now
    finally:
        stop_worker(worker)

    expected = ["/hooks/0", "/hooks/1", "/hooks/2", "/hooks/api", "/services/T1/B1/yes"]
    assert receiver.per_path() == dict.fromkeys(expected, 1)
    assert {r.signature_ok for r in receiver.received() if r.path.startswith("/hooks/")} == {True}
    assert set(Delivery.objects.values_list("state", flat=True)) == {"sent"}


def test_a_lost_answer_is_retried_under_the_same_key_and_acted_on_once(tmp_path, receiver, outage):
    incident, _, _ = outage
    subscriber(receiver, "webhook", "/hooks/flaky")
    receiver.plan("/hooks/flaky", DROP)  # reads the body, then hangs up without a word

    worker = start_worker(tmp_path, app.conf.task_default_queue, worker_env(receiver))
    try:
        wait_until_ready(worker)
        services.post_update(incident=incident, status="identified", body="A bad deploy.")
        wait_for(
            lambda: Delivery.objects.filter(state="pending", attempts=1).exclude(error="").exists(),
            "the first attempt to end without an answer",
            worker,
        )
        # The backoff has passed (its length is delivery.py's business); the sweep hands it over.
        Delivery.objects.filter(state="pending").update(next_attempt_at=timezone.now())
        wait_for(lambda: Delivery.objects.filter(state="sent").exists(), "the retry", worker)
        time.sleep(2)
    finally:
        stop_worker(worker)

    first, second = receiver.received("/hooks/flaky")
    assert first.headers["idempotency-key"] == second.headers["idempotency-key"]
    assert len(receiver.events("/hooks/flaky")) == 1
    row = Delivery.objects.get()
    assert (row.state, row.attempts) == ("sent", 2)
