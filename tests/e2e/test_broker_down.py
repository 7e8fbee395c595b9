"""The broker down while on-call engineers work: a committed write never answers an error.

The real Redis broker stands behind a TcpProxy (tests/e2e/tcp_proxy.py) that the test cuts
(refused: the broker is down or restarting) or black-holes (hung: a partition, a failover);
this process publishes through it for real (no in-process tasks here). The services return
normally and commit their rows once; the console answers as usual, with a notice that the
notifications will follow; what could not be queued waits in the outbox. Once the broker is
back, a real worker with its beat delivers each subscriber each announcement exactly once.
"""

import os
import time
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from kombu import Connection
from prometheus_client import REGISTRY

from incidents import services
from incidents.admin.once import ALREADY_POSTED, QUEUE_UNREACHABLE
from incidents.changes import page_changed_at
from incidents.models import Incident, IncidentUpdate
from notify import lost_work, tasks
from notify import services as notify_services
from notify.models import Delivery, Notification, Subscriber
from statuspage.celery import app
from tests.console_client import ConsoleClient
from tests.e2e.conftest import settled, start_worker, stop_worker, wait_for, wait_until_ready
from tests.e2e.tcp_proxy import TcpProxy
from tests.incidents.test_admin import DECLARE_URL, change_url, form_data
from tests.notify.subscription_pages import form_for

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
    """Point this process's Celery app at `url`: it forgets its pools (kombu keeps one per
    broker address, shared by the process, so the old one stays open for the next user)."""
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


def expected_error(broker: Broker, fault: str) -> str:
    if fault == "cut":
        port = broker.proxy.port
        return f"OperationalError: Error 111 connecting to 127.0.0.1:{port}. Connection refused."
    return "OperationalError: Timeout reading from socket"


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
def test_services_return_normally_and_commit_once_with_the_broker_down(
    broker, fault, components, caplog
):
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
    ben = notify_services.subscribe(channel="email", address="ben@example.com")

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
    logged = [r.getMessage() for r in caplog.records if r.name == "notify.publishing"]
    assert len(logged) == 6
    assert logged[-1] == (
        f"The broker {Connection(broker.url).as_uri()} could not be reached: the confirmation "
        f"of subscriber {ben.pk} not queued, left to the sweep. {expected_error(broker, fault)}"
    )
    assert page_changed_at() > stamp  # the public page was invalidated all the same


@pytest.mark.parametrize("fault", FAULTS)
def test_a_visitor_signs_up_with_the_broker_down(broker, fault, client):
    take_away(broker, fault)

    response = client.post("/subscribe", form_for(address="ann@example.com"))

    assert response.status_code == 200
    assert list(Subscriber.objects.values_list("address", "confirmed_at")) == [
        ("ann@example.com", None)
    ]


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
    assert lost_work.find_lost_work().requeue == ids  # not NOTIFY_REQUEUE_SECONDS later

    Delivery.objects.update(state="failed", enqueued_at=timezone.now())
    assert notify_services.retry_deliveries(deliveries=Delivery.objects.all()) == ids

    assert set(Delivery.objects.values_list("state", "enqueued_at")) == {("pending", None)}
    assert lost_work.find_lost_work().requeue == ids


@pytest.fixture
def console(admin_user) -> Client:
    client = ConsoleClient()
    client.force_login(admin_user)
    return client


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def declare_in_console(console: Client, components, name: str):
    data = form_data(console.get(DECLARE_URL), "incident_form") | {
        "name": name,
        "body": "We are investigating errors on the API.",
        f"component_{components['API'].pk}": "major_outage",
    }
    return console.post(DECLARE_URL, data, follow=True)


def update_form(console: Client, incident: Incident, status: str) -> dict:
    data = form_data(console.get(change_url(incident)), "incident_form")
    return data | {"update_status": status, "update_body": f"Now {status}."}


@pytest.mark.parametrize("fault", FAULTS)
def test_the_console_posts_and_says_notifications_will_follow(broker, fault, console, components):
    confirmed("ann@example.com")
    confirmed("https://hooks.example.com/noroshi", channel="webhook")  # hears component events
    errors = broker_errors()
    take_away(broker, fault)

    declared = declare_in_console(console, components, "API is down")

    # Two fan-outs to queue (the update, the component event): the broker is waited for once.
    assert broker_errors() - errors == 1

    incident = Incident.objects.get()
    assert declared.redirect_chain == [(change_url(incident), 302)]
    assert messages_of(declared) == [
        f'The incident “<a href="{change_url(incident)}">API is down</a>” was added successfully.',
        str(QUEUE_UNREACHABLE),
    ]
    data = update_form(console, incident, "identified")
    posted = console.post(change_url(incident), data, follow=True)
    again = console.post(change_url(incident), data, follow=True)  # "did it work?"

    assert posted.redirect_chain == [("/admin/incidents/incident/", 302)]
    assert messages_of(posted)[1:] == [str(QUEUE_UNREACHABLE)]
    assert again.redirect_chain == [(change_url(incident), 302)]
    assert messages_of(again) == [str(ALREADY_POSTED)]
    assert row_counts() == {
        "incidents": 1,
        "updates": 2,
        "notifications": 3,
        "not fanned out": 3,
        "deliveries": 0,
        "subscribers": 2,
    }


def test_resuming_and_retrying_by_hand_say_the_queue_was_not_reached(broker, console, outage):
    confirmed("ann@example.com")
    services.post_update(incident=outage, status="identified", body="A bad deploy.")
    tasks.fan_out(Notification.objects.get().pk)
    Delivery.objects.update(state="failed")
    notify_services.pause_sending(reason="Checking the queue.")
    broker.proxy.cut()

    switch_url = "/admin/notify/sendingswitch/1/change/"
    data = form_data(console.get(switch_url), "sendingswitch_form")
    resumed = console.post(
        switch_url, {k: v for k, v in data.items() if k != "paused"}, follow=True
    )
    retried = console.post(
        "/admin/notify/delivery/",
        {
            "action": "retry",
            "_selected_action": list(Delivery.objects.values_list("pk", flat=True)),
        },
        follow=True,
    )

    assert messages_of(resumed)[1:] == [str(QUEUE_UNREACHABLE)]
    assert messages_of(retried) == ["1 deliveries queued again.", str(QUEUE_UNREACHABLE)]
    assert set(Delivery.objects.values_list("state", "enqueued_at")) == {("pending", None)}


def worker_env(broker: Broker, sink) -> dict[str, str]:
    return {
        "CELERY_BROKER_URL": broker.url,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(sink.port),
        "NOROSHI_SWEEP_SECONDS": "1",
        "NOROSHI_REQUEUE_SECONDS": "3",
        "NOROSHI_MAINTENANCE_CHECK_SECONDS": "60",
    }


def test_after_the_broker_returns_each_subscriber_gets_each_announcement_once(
    broker, console, components, sink, tmp_path
):
    addresses = [f"s{n:02d}@example.com" for n in range(20)]
    confirmed(*addresses)
    worker = start_worker(tmp_path, app.conf.task_default_queue, worker_env(broker, sink))
    try:
        wait_until_ready(worker)
        broker.proxy.cut()
        declared = declare_in_console(console, components, "API is down")
        incident = Incident.objects.get()
        services.post_update(incident=incident, status="identified", body=BODIES[1])
        broker.proxy.blackhole()
        data = update_form(console, incident, "monitoring")
        posted = console.post(change_url(incident), data, follow=True)
        again = console.post(change_url(incident), data, follow=True)
        assert Delivery.objects.count() == 0  # nothing could reach the worker meanwhile

        broker.proxy.restore()
        wait_for(settled, "every announcement to be sent", worker)
    finally:
        stop_worker(worker)

    assert messages_of(declared)[1:] == messages_of(posted)[1:] == [str(QUEUE_UNREACHABLE)]
    assert messages_of(again) == [str(ALREADY_POSTED)]
    assert list(incident.updates.values_list("body", flat=True)) == list(reversed(BODIES))
    assert_each_told_each_update_once(sink, addresses)


BODIES = ("We are investigating errors on the API.", "A bad deploy.", "Now monitoring.")


def assert_each_told_each_update_once(sink, addresses: list[str]) -> None:
    """Every subscriber got one message per delivery sent to them, never two for one; updates
    that were still waiting when a newer one of the incident went out are carried by it
    (`coalesced`), so each subscriber's messages hold every update's words."""
    sent = Counter(
        Delivery.objects.filter(state="sent").values_list("subscriber__address", flat=True)
    )
    assert sink.sink.per_recipient() == sent
    assert set(sent) == set(addresses)
    assert set(Delivery.objects.values_list("state", flat=True)) <= {"sent", "coalesced"}
    assert Delivery.objects.count() == len(addresses) * len(BODIES)
    newest = Notification.objects.get(update__body=BODIES[-1])
    assert set(newest.deliveries.values_list("state", flat=True)) == {"sent"}
    texts: dict[str, str] = {}
    for message in sink.messages:
        text = message.get_body(preferencelist=("plain",)).get_content()
        texts[message["To"]] = texts.get(message["To"], "") + text
    assert {a: [body in texts[a] for body in BODIES] for a in addresses} == dict.fromkeys(
        addresses, [True] * len(BODIES)
    )


def test_a_sign_up_made_while_the_broker_is_down_is_answered_once_it_is_back(
    broker, client, sink, tmp_path
):
    """The answer to a sign-up (a new address's confirmation link, an existing one's notice
    with its manage link) is owed by a row written with the sign-up: the sweep hands it to the
    broker once it is back, and the address gets it once."""
    confirmed("ben@example.com")
    worker = start_worker(tmp_path, app.conf.task_default_queue, worker_env(broker, sink))
    try:
        wait_until_ready(worker)
        broker.proxy.cut()
        for address in ("ann@example.com", "ben@example.com"):
            assert client.post("/subscribe", form_for(address=address)).status_code == 200
        assert sink.messages == []

        broker.proxy.restore()
        wait_for(lambda: len(sink.messages) >= 2, "both sign-ups to be answered", worker)
        time.sleep(3)  # past the next sweeps: a second answer would land now
    finally:
        stop_worker(worker)

    subjects = {message["To"]: message["Subject"] for message in sink.messages}
    assert sink.sink.per_recipient() == {"ann@example.com": 1, "ben@example.com": 1}
    assert subjects == {
        "ann@example.com": "Confirm your subscription to Noroshi status updates",
        "ben@example.com": "Your subscription to Noroshi status updates",
    }
