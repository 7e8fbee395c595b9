"""Reads of the history page: incidents and maintenance by when they started, or by the time
they were open (a day of the uptime bars), for the whole page or for one component; and
where the history's paging stops."""

from datetime import datetime

from django.db.models import Q, QuerySet

from incidents.choices import MaintenanceStatus
from incidents.models import Incident
from incidents.selectors.page import with_timeline


def of_component(rows: QuerySet[Incident], component_id: int | None) -> QuerySet[Incident]:
    return rows if component_id is None else rows.filter(components=component_id)


def history_between(
    start: datetime, end: datetime, *, component_id: int | None = None
) -> QuerySet[Incident]:
    """Incidents and maintenance that started in [start, end), newest first, with timelines
    and post-mortems; only those of one component when `component_id` is given."""
    rows: QuerySet[Incident] = Incident.objects.public().filter(
        started_at__gte=start, started_at__lt=end
    )
    rows = of_component(rows, component_id)
    return with_timeline(rows.select_related("postmortem")).order_by("-started_at", "-id")


def history_open_between(
    start: datetime, end: datetime, *, component_id: int | None = None
) -> QuerySet[Incident]:
    """Incidents and started maintenance open at some time in [start, end) (those a day of
    the uptime bars names, selectors.incidents_touching), newest first, with timelines and
    post-mortems; only those of one component when `component_id` is given."""
    rows: QuerySet[Incident] = (
        Incident.objects.public()
        .filter(started_at__lt=end)
        .filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=start))
        .exclude(status=MaintenanceStatus.SCHEDULED)
    )
    rows = of_component(rows, component_id)
    return with_timeline(rows.select_related("postmortem")).order_by("-started_at", "-id")


def first_incident_start(*, component_id: int | None = None) -> datetime | None:
    """When the oldest incident or maintenance (of one component, when given) started: where
    history paging stops."""
    rows = of_component(Incident.objects.public(), component_id)
    return rows.order_by("started_at").values_list("started_at", flat=True).first()
