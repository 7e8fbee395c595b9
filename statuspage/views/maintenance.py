"""The maintenance page `/maintenance`: windows in progress, upcoming, and recently completed."""

from django.http import HttpRequest, HttpResponse

from incidents import selectors
from statuspage.page_frame import page_response, public_context
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
    return page_response(request, "statuspage/maintenance.html", context)
