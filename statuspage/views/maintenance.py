"""The maintenance page `/maintenance`: windows in progress, upcoming, and recently completed."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from incidents import selectors
from statuspage.page_frame import public_context
from statuspage.public_cache import public_response

RECENT_COMPLETED = 10


@public_response
def maintenance(request: HttpRequest) -> HttpResponse:
    context = public_context(
        request,
        selectors.page_settings(),
        section="maintenance",
        active_maintenances=selectors.active_maintenances(),
        upcoming_maintenances=selectors.upcoming_maintenances(),
        completed_maintenances=selectors.completed_maintenances(limit=RECENT_COMPLETED),
    )
    return render(request, "statuspage/maintenance.html", context)
