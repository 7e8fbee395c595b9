"""`/metrics`: Noroshi's figures in Prometheus's text format (docs/operations.md lists them and
the alerts to set on them).

Two sources: the process counters every web and worker process on this host adds to
(incidents.metrics, summed from their files by statuspage.metrics_files), and figures read at
scrape time from the database and the broker (ScrapeTimeCollector).

Only a request bearing NOROSHI_METRICS_TOKEN or coming from NOROSHI_METRICS_NETWORKS gets an
answer; anyone else gets a 404, as if there were no such page.
"""

import ipaddress
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from prometheus_client import CollectorRegistry, Metric
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import choose_encoder

from notify import selectors
from notify.abuse import client_ip
from notify.choices import Channel, DeliveryState, ProcessRole
from statuspage.dependencies import queue_depths
from statuspage.metrics_files import ProcessFilesCollector


def metrics(request: HttpRequest) -> HttpResponse:
    """The figures, for a scraper that NOROSHI_METRICS_TOKEN or _NETWORKS lets in."""
    if not scraper_allowed(request):
        raise Http404
    registry = CollectorRegistry(auto_describe=False)
    registry.register(ProcessFilesCollector(Path(settings.PROMETHEUS_MULTIPROC_DIR)))
    registry.register(ScrapeTimeCollector())
    # The format the scraper asks for (Prometheus and OpenMetrics text), else the classic one.
    encode, content_type = choose_encoder(request.headers.get("Accept", ""))
    response = HttpResponse(encode(registry), content_type=content_type)
    response["Cache-Control"] = "no-store"
    return response


def scraper_allowed(request: HttpRequest) -> bool:
    token = settings.NOROSHI_METRICS_TOKEN
    offered = request.headers.get("Authorization", "")
    if token and constant_time_compare(offered, f"Bearer {token}"):
        return True
    if not settings.NOROSHI_METRICS_NETWORKS:
        return False
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    return any(
        address in ipaddress.ip_network(network, strict=False)
        for network in settings.NOROSHI_METRICS_NETWORKS
    )


def gauge(name: str, documentation: str, value: float) -> Metric:
    family = GaugeMetricFamily(name, documentation)
    family.add_metric([], value)
    return family


class ScrapeTimeCollector:
    """What the database and the broker say now; a source that cannot be read is reported in
    noroshi_metrics_source_up and its figures left out."""

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "noroshi_metrics_source_up",
            "1 when this scrape could read the source (database, broker), 0 when it could not.",
            labels=["source"],
        )
        read: list[Metric] = []
        # The broker's client libraries and the OS each raise errors of their own.
        for source, figures, errors in (
            ("database", database_figures, DatabaseError),
            ("broker", broker_figures, Exception),
        ):
            try:
                read += figures()
            except errors:
                up.add_metric([source], 0)
            else:
                up.add_metric([source], 1)
        yield up
        yield from read


def database_figures() -> list[Metric]:
    """Deliveries, the outbox, the kill switch and the processes' heartbeats."""
    oldest = selectors.oldest_pending_delivery()
    switch = selectors.sending_switch()
    return [
        deliveries(),
        gauge(
            "noroshi_oldest_pending_delivery_age_seconds",
            "Age of the oldest delivery still pending (0 when none is).",
            (timezone.now() - oldest).total_seconds() if oldest else 0,
        ),
        gauge(
            "noroshi_notifications_awaiting_fanout",
            "Notifications written but not yet fanned out to their subscribers.",
            selectors.notifications_awaiting_fanout(),
        ),
        gauge(
            "noroshi_sending_paused", "1 while the kill switch stops all sending.", switch.paused
        ),
        gauge(
            "noroshi_sending_paused_seconds",
            "How long the kill switch has been stopping all sending (0 while sending).",
            (timezone.now() - switch.changed_at).total_seconds() if switch.paused else 0,
        ),
        *heartbeats(),
    ]


def deliveries() -> Metric:
    counts: dict[tuple[str, str], int] = {
        (state.value, channel.value): 0 for state in DeliveryState for channel in Channel
    }
    for state, channel, number in selectors.delivery_counts():
        counts[(state, channel)] = number
    family = GaugeMetricFamily(
        "noroshi_deliveries", "Deliveries by state and channel.", labels=["state", "channel"]
    )
    for (state, channel), number in sorted(counts.items()):
        family.add_metric([state, channel], number)
    return family


def heartbeats() -> list[Metric]:
    alive = GaugeMetricFamily(
        "noroshi_processes_alive",
        "Running worker or beat processes whose heartbeat is fresh (as /readyz judges it).",
        labels=["role"],
    )
    age = GaugeMetricFamily(
        "noroshi_heartbeat_age_seconds",
        "Seconds since the newest heartbeat of a running worker or beat (absent when none runs).",
        labels=["role"],
    )
    now = timezone.now()
    for role, stale in (
        (ProcessRole.WORKER, settings.NOROSHI_WORKER_STALE_SECONDS),
        (ProcessRole.BEAT, settings.NOROSHI_BEAT_STALE_SECONDS),
    ):
        fresh, newest = selectors.heartbeat_summary(role, stale_seconds=stale)
        alive.add_metric([role], fresh)
        if newest is not None:
            age.add_metric([role], (now - newest).total_seconds())
    return [alive, age]


def broker_figures() -> list[Metric]:
    family = GaugeMetricFamily(
        "noroshi_broker_queue_messages",
        "Messages waiting in a broker queue (not those a worker holds).",
        labels=["queue"],
    )
    for queue, number in queue_depths().items():
        family.add_metric([queue], number)
    return [family]
