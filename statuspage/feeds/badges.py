"""`/badge.svg` and `/components/<public_id>/badge.svg`: embeddable SVG status badges.

The page badge reads "status | operational" (the words follow the roll-up's indicator, as the
page's own descriptions do); a component's reads "<name> | <status>", and a group's public id
gives the worst status of its components. `?label=` replaces the left text: free text, so a
badge with one is rendered for each request and never cached (made-up labels cannot fill the
cache); nginx's micro-cache still holds it for a second.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import get_language

from incidents import selectors
from incidents.choices import ComponentStatus, Impact
from statuspage.feeds.badge_svg import Badge, badge_svg, clean_label
from statuspage.public_cache import public_response

CONTENT_TYPE = "image/svg+xml; charset=utf-8"
# An SVG opened on its own is a document: let it load and run nothing.
HEADERS = {"Content-Security-Policy": "default-src 'none'"}
PAGE_LABEL = "status"

OPERATIONAL = ("operational", "#1a7f37")
INDICATOR_BADGES: dict[str, tuple[str, str]] = {
    Impact.NONE: OPERATIONAL,
    Impact.MINOR: ("minor outage", "#9a6700"),
    Impact.MAJOR: ("partial outage", "#bc4c00"),
    Impact.CRITICAL: ("major outage", "#cf222e"),
    selectors.MAINTENANCE_INDICATOR: ("maintenance", "#0969da"),
}
COMPONENT_BADGES: dict[str, tuple[str, str]] = {
    ComponentStatus.OPERATIONAL: OPERATIONAL,
    ComponentStatus.DEGRADED_PERFORMANCE: ("degraded performance", "#9a6700"),
    ComponentStatus.PARTIAL_OUTAGE: ("partial outage", "#bc4c00"),
    ComponentStatus.MAJOR_OUTAGE: ("major outage", "#cf222e"),
    ComponentStatus.UNDER_MAINTENANCE: ("under maintenance", "#0969da"),
}


def component_name_and_status(public_id: str, language: str | None) -> tuple[str, str]:
    """The name and status of the component, or else the group, with `public_id`.

    Raises Http404 when there is neither.
    """
    found = selectors.component_or_group(public_id)
    if found is None:
        raise Http404("No component or group has this id.")
    row, status = found
    return selectors.localized(row, "name", language), status


def svg_response(label: str, message_and_colour: tuple[str, str]) -> HttpResponse:
    message, colour = message_and_colour
    return HttpResponse(badge_svg(Badge(label, message, colour)), content_type=CONTENT_TYPE)


@public_response(cors=True, text_params=("label",), extra_headers=HEADERS)
def page_badge(request: HttpRequest) -> HttpResponse:
    """The page's roll-up as a badge."""
    label = clean_label(request.GET.get("label", ""), default=PAGE_LABEL)
    indicator = selectors.page_status().indicator
    return svg_response(label, INDICATOR_BADGES.get(indicator, OPERATIONAL))


@public_response(cors=True, text_params=("label",), extra_headers=HEADERS)
def component_badge(request: HttpRequest, public_id: str) -> HttpResponse:
    """One component's (or group's) status as a badge; 404 for an unknown id."""
    name, status = component_name_and_status(public_id, get_language())
    label = clean_label(request.GET.get("label", ""), default=clean_label(name, default="status"))
    return svg_response(label, COMPONENT_BADGES.get(status, OPERATIONAL))
