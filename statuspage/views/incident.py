"""The incident page `/incidents/<public_id>`: one incident or maintenance with its timeline."""

from django.http import HttpRequest, HttpResponse

from incidents import selectors
from incidents.models import Incident
from statuspage.page_frame import page_not_found, page_response, public_context
from statuspage.public_cache import public_response
from statuspage.views.live import is_live, live_config


@public_response
def incident(request: HttpRequest, public_id: str) -> HttpResponse:
    page = selectors.page_settings()
    try:
        found = selectors.incident_by_public_id(public_id)
    except Incident.DoesNotExist:
        return page_not_found(request, page)
    section = "maintenance" if found.is_maintenance else "history"
    context = public_context(
        request, page, incident=found, section=section, last_updated=found.updated_at
    )
    if is_live(found):
        context["live"] = live_config(language=context["language"], incident=found)
    return page_response(request, "statuspage/incident.html", context)
