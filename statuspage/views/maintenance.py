"""The maintenance page `/maintenance`: windows in progress, upcoming, and recently completed."""

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from incidents import selectors
from incidents.choices import IncidentKind, MaintenanceStatus
from incidents.models import Incident
from statuspage.public_cache import public_response
from statuspage.views.context import public_context

RECENT_COMPLETED = 10


def completed_maintenances(*, limit: int) -> QuerySet[Incident]:
    """The last `limit` completed windows, latest completed first, with their timelines.

    TODO: move to incidents.selectors (as completed_maintenances(limit=…)).
    """
    completed = Incident.objects.filter(
        kind=IncidentKind.MAINTENANCE, status=MaintenanceStatus.COMPLETED
    )
    return selectors.with_timeline(completed).order_by("-resolved_at", "-id")[:limit]


@public_response
def maintenance(request: HttpRequest) -> HttpResponse:
    context = public_context(
        request,
        selectors.page_settings(),
        section="maintenance",
        active_maintenances=selectors.active_maintenances(),
        upcoming_maintenances=selectors.upcoming_maintenances(),
        completed_maintenances=completed_maintenances(limit=RECENT_COMPLETED),
    )
    return render(request, "statuspage/maintenance.html", context)
