"""The post-mortem page `/incidents/<public_id>/postmortem`: what happened, why, what it cost
customers (computed from the status history), the timeline, the lessons, and the progress of
the public recovery actions. 404 until the post-mortem is published."""

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.utils.functional import Promise
from django.utils.translation import get_language

from incidents import selectors
from incidents.models import PostMortem
from incidents.models.postmortems import SECTION_LABELS, SECTIONS
from incidents.reliability import incident_figures
from notify import selectors as notify_selectors
from statuspage.page_frame import page_not_found, page_response, public_context
from statuspage.public_cache import public_response

# The sections the page shows after the summary, customer impact and timeline.
LATER_SECTIONS = SECTIONS[SECTIONS.index("root_cause") :]


@dataclass(frozen=True)
class Section:
    name: str
    title: str | Promise
    text: str


def section(postmortem: PostMortem, name: str, language: str) -> Section:
    return Section(name, SECTION_LABELS[name], selectors.localized(postmortem, name, language))


@public_response
def postmortem(request: HttpRequest, public_id: str) -> HttpResponse:
    page = selectors.page_settings()
    try:
        found = selectors.published_postmortem(public_id)
    except PostMortem.DoesNotExist:
        return page_not_found(request, page)
    language = get_language()
    actions = selectors.in_kind_order(found.incident.public_actions)  # type: ignore[attr-defined]
    context = public_context(
        request,
        page,
        section="history",
        postmortem=found,
        incident=found.incident,
        figures=incident_figures(found.incident, found),
        subscribers_notified=notify_selectors.notified_count(found.incident),
        summary=section(found, "summary", language),
        customer_impact=section(found, "customer_impact", language),
        sections=[section(found, name, language) for name in LATER_SECTIONS],
        actions=actions,
        progress=selectors.action_progress(actions),
    )
    return page_response(request, "statuspage/postmortem.html", context)
