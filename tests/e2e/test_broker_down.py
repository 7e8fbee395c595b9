"""The broker down while on-call engineers work: a committed write never answers an error.

The real Redis broker stands behind a TcpProxy (tests/e2e/tcp_proxy.py) that the test cuts
(refused: the broker is down or restarting) or black-holes (hung: a partition, a failover);
this process publishes through it for real (no in-process tasks here). The services return
normally and commit their rows once; what could not be queued waits in the outbox.
"""

import os
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.utils import timezone
from prometheus_client import REGISTRY

from incidents import services
from incidents.changes import page_changed_at
from incidents.models import Incident, IncidentUpdate
from notify import services as notify_services
from notify import tasks
from notify.models import Delivery, Notification, Subscriber
from statuspage.celery import app
from tests.e2e.tcp_proxy import TcpProxy

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FAULTS = ("cut", "blackhole")


@dataclass
class Broker:
    proxy: TcpProxy
    url: str  # the broker's address through the proxy


def require_a_redis_broker() -> None:
    if settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
        return
    reason = (
        "the broker-down tests cut a Redis broker: set REDIS_URL (or CELERY_BROKER_URL="
        f"redis://…); this run's broker is {settings.CELERY_BROKER_URL.split(':')[0]}"
    )
    if os.environ.get("NOROSHI_REQUIRE_SERVICES", "") in {"1", "true", "yes"}:
        pytest.fail(reason)
    pytest.skip(reason)


def use_broker(url: str) -> None:
    """Point this process's Celery app at `url`, dropping its pooled broker connections."""
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
    app.conf.broker_url = url


@pytest.fixture
def broker(worker_queue):
    """The broker behind a proxy; this process publishes through it, on the test's queue."""
    require_a_redis_broker()
    real = urlsplit(settings.CELERY_BROKER_URL)
    proxy = TcpProxy(real.hostname or "127.0.0.1", real.port or 6379).start()
    auth, _, _ = real.netloc.rpartition("@")
    url = urlunsplit(real._replace(netloc=f"{auth}@" * bool(auth) + f"127.0.0.1:{proxy.port}"))
    saved = app.conf.broker_url
    use_broker(url)
    try:
        yield Broker(proxy, url)
    finally:
        use_broker(saved)
        proxy.shutdown()


def take_away(broker: Broker, fault: str) -> None:
    getattr(broker.proxy, fault)()


def broker_errors() -> float:
    counted = REGISTRY.get_sample_value("noroshi_dependency_errors_total", {"dependency": "broker"})
    return counted or 0.0


def confirmed(*addresses: str, channel: str = "email") -> None:
    now = timezone.now()
    Subscriber.objects.bulk_create(
        Subscriber(channel=channel, address=a, confirmed_at=now) for a in addresses
    )


def row_counts() -> dict[str, int]:
    return {
        "incidents": Incident.objects.count(),
        "updates": IncidentUpdate.objects.count(),
        "notifications": Notification.objects.count(),
        "not fanned out": Notification.objects.filter(fanned_out_at__isnull=True).count(),
        "deliveries": Delivery.objects.count(),
        "subscribers": Subscriber.objects.count(),
    }


@pytest.mark.parametrize("fault", FAULTS)
def test_services_return_normally_and_commit_once_with_the_broker_down(broker, fault, components):
    confirmed("ann@example.com")
    confirmed("https://hooks.example.com/noroshi", channel="webhook")  # hears component events
    stamp, errors = page_changed_at(), broker_errors()
    take_away(broker, fault)

    incident = services.declare_incident(
        name="API is down",
        body="Investigating.",
        component_statuses={components["API"]: "major_outage"},
    )
    services.post_update(incident=incident, status="identified", body="A bad deploy.")
    now = timezone.now()
    services.schedule_maintenance(
        name="Database upgrade",
        body="The API may be slow.",
        scheduled_for=now + timedelta(hours=1),
        scheduled_until=now + timedelta(hours=2),
    )
    notify_services.pause_sending(reason="Checking the queue.")
    notify_services.resume_sending()
    notify_services.subscribe(channel="email", address="ben@example.com")

    assert row_counts() == {
        "incidents": 2,
        "updates": 3,
        "notifications": 4,  # declared (and its component event), identified, scheduled
        "not fanned out": 4,  # waiting in the outbox for the sweep
        "deliveries": 0,
        "subscribers": 3,
    }
    # Each fan-out, the sweep after resuming and the confirmation failed to reach it.
    assert broker_errors() - errors == 6
    assert page_changed_at() > stamp  # the public page was invalidated all the same


@pytest.mark.parametrize("fault", FAULTS)
def test_deliveries_the_broker_did_not_take_are_left_to_the_next_sweep(broker, fault, outage):
    confirmed("ann@example.com", "ben@example.com", "cho@example.com")
    take_away(broker, fault)
    services.post_update(incident=outage, status="identified", body="A bad deploy.")
    notification = Notification.objects.get()

    tasks.fan_out(notification.pk)  # as the worker would, with the broker gone meanwhile

    ids = sorted(Delivery.objects.values_list("id", flat=True))
    assert len(ids) == 3
    assert set(Delivery.objects.values_list("state", "enqueued_at")) == {("pending", None)}
    assert notify_services.sweep().requeue == ids  # not NOTIFY_REQUEUE_SECONDS later

    Delivery.objects.update(state="failed", enqueued_at=timezone.now())
    assert notify_services.retry_deliveries(deliveries=Delivery.objects.all()) == ids

    assert set(Delivery.objects.values_list("state", "enqueued_at")) == {("pending", None)}
    assert notify_services.sweep().requeue == ids


@pytest.fixture
def outage(components):
    """An incident on API, declared with notifications off (tests post the announced update)."""
    return services.declare_incident(
        name="Elevated API errors",
        body="Investigating.",
        component_statuses={components["API"]: "major_outage"},
        deliver_notifications=False,
    )
