"""The overview page `/`."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from incidents import selectors
from statuspage.public_cache import public_response


@public_response
def overview(request: HttpRequest) -> HttpResponse:
    context = {
        "page": selectors.page_settings(),
        "status": selectors.page_status(),
        "entries": selectors.components_in_order(),
        "incidents": selectors.unresolved_incidents(),
        "active_maintenances": selectors.active_maintenances(),
        "upcoming_maintenances": selectors.upcoming_maintenances(),
        "language": get_language(),
    }
    return render(request, "statuspage/overview.html", context)
