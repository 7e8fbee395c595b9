"""/metrics: who may read it (token, networks, else 404), what it says (counters of every
process, figures read from the database and the broker), and its files kept bounded."""

import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from incidents.metrics import FILE_KINDS
from notify.models import Delivery, Notification, ProcessHeartbeat, SendingSwitch, Subscriber
from statuspage.metrics_files import retire

TOKEN = "s3cret-scrape-token"


@pytest.fixture
def metrics_dir(settings, tmp_path):
    """A metrics directory of the test's own (other processes of the machine write the
    project's), and a token to read it with."""
    folder = tmp_path / "metrics"
    folder.mkdir()
    settings.PROMETHEUS_MULTIPROC_DIR = str(folder)
    settings.NOROSHI_METRICS_TOKEN = TOKEN
    return folder


def scrape(client, **headers) -> str:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}", **headers)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    return response.content.decode()


def samples(text: str, prefix: str) -> dict[str, float]:
    """The samples whose name starts with `prefix`, by their name and labels."""
    found = {}
    for line in text.splitlines():
        if line.startswith(prefix) and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            found[name] = float(value)
    return found


def count_in_another_process(folder: Path, code: str) -> None:
    """Run `code` in a process of its own that writes its metrics to `folder`, and let it end."""
    subprocess.run(
        [sys.executable, "-c", code],
        cwd=django_settings.BASE_DIR,
        env={"PROMETHEUS_MULTIPROC_DIR": str(folder), "PATH": "/usr/bin:/bin"},
        check=True,
    )


INCREMENT = "from incidents.metrics import DEPENDENCY_ERRORS as E; E.labels('database').inc({n})"


# --- who may read it -------------------------------------------------------------------------


@pytest.mark.django_db
def test_metrics_are_off_without_a_token_or_networks(client, settings):
    settings.NOROSHI_METRICS_TOKEN = ""
    settings.NOROSHI_METRICS_NETWORKS = []
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


@pytest.mark.django_db
def test_the_token_lets_in_and_nothing_else_does(client, metrics_dir):
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION=TOKEN).status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("networks", "proxies", "remote", "forwarded", "status"),
    [
        (["127.0.0.0/8"], 0, "127.0.0.1", "", 200),
        (["10.0.0.0/8", "192.0.2.7"], 0, "192.0.2.7", "", 200),
        (["10.0.0.0/8"], 0, "127.0.0.1", "10.1.2.3", 404),  # a header nobody trusts
        (["10.0.0.0/8"], 1, "127.0.0.1", "10.1.2.3", 200),  # written by our nginx
        (["10.0.0.0/8"], 1, "127.0.0.1", "10.1.2.3, 192.0.2.9", 404),  # forged in front of it
        (["2001:db8::/32"], 0, "2001:db8::5", "", 200),
    ],
)
def test_networks_let_in_the_clients_they_name(
    client, settings, networks, proxies, remote, forwarded, status
):
    settings.NOROSHI_METRICS_TOKEN = ""
    settings.NOROSHI_METRICS_NETWORKS = networks
    settings.NOROSHI_TRUSTED_PROXIES = proxies
    headers = {"REMOTE_ADDR": remote}
    if forwarded:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    assert client.get("/metrics", **headers).status_code == status


# --- what it says ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_counter_of_another_process_is_summed_and_kept_after_it_ends(client, metrics_dir):
    count_in_another_process(metrics_dir, INCREMENT.format(n=3))
    count_in_another_process(
        metrics_dir,
        INCREMENT.format(n=2)
        + "; from incidents.metrics import SEND_SECONDS as S; S.labels('email').observe(0.2)",
    )

    text = scrape(client)

    assert samples(text, "noroshi_dependency_errors_total") == {
        'noroshi_dependency_errors_total{dependency="database"}': 5.0
    }
    assert samples(text, "noroshi_send_seconds_count") == {
        'noroshi_send_seconds_count{channel="email"}': 1.0
    }
    assert samples(text, 'noroshi_send_seconds_bucket{channel="email",le="0.1"}') == {
        'noroshi_send_seconds_bucket{channel="email",le="0.1"}': 0.0
    }
    assert samples(text, 'noroshi_send_seconds_bucket{channel="email",le="0.25"}') == {
        'noroshi_send_seconds_bucket{channel="email",le="0.25"}': 1.0
    }
    # The two processes ended: their values were folded into one file per kind.
    assert sorted(path.name for path in metrics_dir.glob("*.db")) == [
        f"{kind}_archive.db" for kind in FILE_KINDS
    ]
    assert samples(scrape(client), "noroshi_dependency_errors_total") == {
        'noroshi_dependency_errors_total{dependency="database"}': 5.0
    }


@pytest.mark.django_db
def test_a_running_process_is_read_live_and_retired_once_it_ends(client, metrics_dir):
    code = INCREMENT.format(n=4) + "; print('counted', flush=True); input()"
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=django_settings.BASE_DIR,
        env={"PROMETHEUS_MULTIPROC_DIR": str(metrics_dir), "PATH": "/usr/bin:/bin"},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout.readline() == "counted\n"
        text = scrape(client)
        # One file per kind, each given its blocks before the first count (incidents.metrics).
        assert sorted(path.name for path in metrics_dir.glob("*.db")) == [
            f"{kind}_{process.pid}.db" for kind in FILE_KINDS
        ]
    finally:
        process.communicate("\n", timeout=30)
    assert samples(text, "noroshi_dependency_errors_total") == {
        'noroshi_dependency_errors_total{dependency="database"}': 4.0
    }

    retire(process.pid, metrics_dir)  # what gunicorn's child_exit does (gunicorn.conf.py)
    retire(process.pid, metrics_dir)  # a second time changes nothing

    assert sorted(path.name for path in metrics_dir.glob("*.db")) == [
        f"{kind}_archive.db" for kind in FILE_KINDS
    ]
    assert samples(scrape(client), "noroshi_dependency_errors_total") == {
        'noroshi_dependency_errors_total{dependency="database"}': 4.0
    }


def make_deliveries() -> None:
    """Deliveries in a few states, a notification not yet fanned out, an old pending one."""
    notification = Notification.objects.create(kind="incident_update", channels=["email"])
    Notification.objects.filter(pk=notification.pk).update(fanned_out_at=timezone.now())
    Notification.objects.create(kind="maintenance_reminder", channels=["email"])
    rows = [
        ("email", "sent"),
        ("email", "sent"),
        ("email", "unknown"),
        ("email", "pending"),
        ("sms", "pending"),
        ("webhook", "failed"),
    ]
    for number, (channel, state) in enumerate(rows):
        subscriber = Subscriber.objects.create(channel=channel, address=f"s{number}@example.com")
        Delivery.objects.create(
            notification=notification, subscriber=subscriber, channel=channel, state=state
        )
    Delivery.objects.filter(channel="sms").update(created_at=timezone.now() - timedelta(minutes=10))


def filesystem_broker(settings, queue: Path, elsewhere: Path) -> None:
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(queue),
        "processed_folder": str(elsewhere),
        "control_folder": str(elsewhere),
    }


@pytest.mark.django_db
def test_figures_read_from_the_database_and_the_broker(client, metrics_dir, settings, tmp_path):
    filesystem_broker(settings, tmp_path, tmp_path)  # a broker of the test's own, empty
    make_deliveries()
    SendingSwitch.objects.create(
        id=1, paused=True, reason="Storm", changed_at=timezone.now() - timedelta(minutes=20)
    )
    for role, name, ago in (("worker", "w1", 2), ("worker", "w2", 5), ("worker", "w3", 90)):
        ProcessHeartbeat.objects.create(
            role=role,
            name=name,
            hostname="h",
            pid=1,
            beat_at=timezone.now() - timedelta(seconds=ago),
        )

    text = scrape(client)

    deliveries = samples(text, "noroshi_deliveries{")
    assert len(deliveries) == 28  # every state and channel, zero included
    assert {name: value for name, value in deliveries.items() if value} == {
        'noroshi_deliveries{channel="email",state="sent"}': 2.0,
        'noroshi_deliveries{channel="email",state="unknown"}': 1.0,
        'noroshi_deliveries{channel="email",state="pending"}': 1.0,
        'noroshi_deliveries{channel="sms",state="pending"}': 1.0,
        'noroshi_deliveries{channel="webhook",state="failed"}': 1.0,
    }
    oldest = samples(text, "noroshi_oldest_pending_delivery_age_seconds")
    assert 600 <= oldest["noroshi_oldest_pending_delivery_age_seconds"] < 3600
    assert samples(text, "noroshi_notifications_awaiting_fanout") == {
        "noroshi_notifications_awaiting_fanout": 1.0
    }
    assert samples(text, "noroshi_sending_paused ") == {"noroshi_sending_paused": 1.0}
    paused_for = samples(text, "noroshi_sending_paused_seconds")["noroshi_sending_paused_seconds"]
    assert 1200 <= paused_for < 3600
    assert samples(text, "noroshi_processes_alive") == {
        'noroshi_processes_alive{role="worker"}': 2.0,
        'noroshi_processes_alive{role="beat"}': 0.0,
    }
    assert list(samples(text, "noroshi_heartbeat_age_seconds")) == [
        'noroshi_heartbeat_age_seconds{role="worker"}'
    ]
    assert samples(text, "noroshi_metrics_source_up") == {
        'noroshi_metrics_source_up{source="database"}': 1.0,
        'noroshi_metrics_source_up{source="broker"}': 1.0,
    }
    assert samples(text, "noroshi_broker_queue_messages") == {
        'noroshi_broker_queue_messages{queue="celery"}': 0.0
    }


@pytest.mark.django_db
def test_a_broker_that_cannot_be_read_is_said_so(client, metrics_dir, settings, tmp_path):
    filesystem_broker(settings, tmp_path / "gone", tmp_path / "gone")
    text = scrape(client)
    assert samples(text, "noroshi_metrics_source_up") == {
        'noroshi_metrics_source_up{source="database"}': 1.0,
        'noroshi_metrics_source_up{source="broker"}': 0.0,
    }
    assert samples(text, "noroshi_broker_queue_messages") == {}


@pytest.mark.django_db
def test_messages_waiting_in_a_filesystem_broker_are_counted(
    client, metrics_dir, settings, tmp_path
):
    queue = tmp_path / "queue"
    queue.mkdir()
    for name in ("1_a.celery.msg", "2_b.celery.msg", "3_c.other.msg", "notes.txt"):
        (queue / name).write_text("{}")
    filesystem_broker(settings, queue, tmp_path)
    assert samples(scrape(client), "noroshi_broker_queue_messages") == {
        'noroshi_broker_queue_messages{queue="celery"}': 2.0,
        'noroshi_broker_queue_messages{queue="other"}': 1.0,
    }


@pytest.mark.skipif(not django_settings.REDIS_URL, reason="REDIS_URL is not set (CI sets it)")
@pytest.mark.django_db
def test_messages_waiting_in_a_redis_broker_are_counted(client, metrics_dir, settings):
    import redis

    from statuspage.celery import app

    settings.CELERY_BROKER_URL = settings.REDIS_URL
    queue = f"metrics-test-{uuid.uuid4().hex[:12]}"
    saved, app.conf.task_default_queue = app.conf.task_default_queue, queue
    broker = redis.Redis.from_url(settings.REDIS_URL)
    try:
        broker.lpush(queue, "{}", "{}")
        broker.lpush(queue + "\x06\x169", "{}")  # kombu's list for priority 9
        assert samples(scrape(client), "noroshi_broker_queue_messages") == {
            f'noroshi_broker_queue_messages{{queue="{queue}"}}': 3.0
        }
    finally:
        app.conf.task_default_queue = saved
        broker.delete(queue, queue + "\x06\x169")
        broker.close()
