"""The history page `/history`: incidents and maintenance by month, newest first, three months
per page (?page=N); for one component (?component=<public id>); or one day of the page's zone
(?day=YYYY-MM-DD: what was open that day, where an uptime day links to). A plain form and
plain links: it works without JavaScript. Only values that name something are answered (404
otherwise), so that the cached variants stay few (statuspage.public_cache)."""

import zoneinfo
from dataclasses import dataclass
from datetime import date, timedelta

from django.http import HttpRequest, HttpResponse, QueryDict

from incidents import selectors
from incidents.models import Component, ComponentGroup
from statuspage.languages import explicit_language
from statuspage.page_frame import page_not_found, page_response, public_context
from statuspage.public_cache import public_response
from statuspage.views.context import day_start, month_shift
from statuspage.views.day_groups import month_groups, months_window

MONTHS_PER_PAGE = 3
# A timeline longer than this shows its first and last updates, the others folded away.
SHOWN_UPDATES = 3


@dataclass(frozen=True)
class ComponentChoice:
    component: Component
    group: ComponentGroup | None


def component_choices() -> list[ComponentChoice]:
    """Every component on the page (hidden while operational or not), in page order."""
    return [
        ComponentChoice(component, entry.group)
        for entry in selectors.components_in_order()
        for component in entry.components
    ]


def page_number(query: QueryDict) -> int | None:
    """?page= as a number from 1 (absent: 1), or None when it is not one written the one way
    (ASCII digits, no leading zero), so that each page has a single cache key."""
    raw = query.get("page", "1")
    if not (raw.isascii() and raw.isdigit() and raw == str(int(raw))):
        return None
    return int(raw) if 1 <= int(raw) <= 10_000 else None


def chosen_component(query: QueryDict, choices: list[ComponentChoice]):
    """(True, the component ?component= names, or None without one), or (False, None) when it
    names no component of the page."""
    public_id = query.get("component", "")
    if not public_id:
        return True, None
    found = next((c.component for c in choices if c.component.public_id == public_id), None)
    return found is not None, found


def chosen_day(query: QueryDict, *, first: date, today: date) -> date | None:
    """?day= when it is a date written YYYY-MM-DD, from `first` to `today`, else None."""
    raw = query.get("day", "")
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return None
    return day if day.isoformat() == raw and first <= day <= today else None


def first_day(component: Component | None, tz: zoneinfo.ZoneInfo) -> date | None:
    """The day the oldest incident (of the component) started, or None without any."""
    oldest = selectors.first_incident_start(component_id=component.pk if component else None)
    return None if oldest is None else oldest.astimezone(tz).date()


@public_response(params=("page", "component", "day"))
def history(request: HttpRequest) -> HttpResponse:
    page = selectors.page_settings()
    context = public_context(request, page, section="history")
    choices = component_choices()
    known, component = chosen_component(request.GET, choices)
    first = first_day(component, context["tz"]) if known else None
    context.update(
        choices=choices,
        component=component,
        lang=explicit_language(request),
        shown_updates=SHOWN_UPDATES,
    )
    if "day" in request.GET:
        found = day_context(request.GET, context, first)
    else:
        found = months_context(request.GET, context, first)
    if not known or found is None:
        return page_not_found(request, page)
    context.update(found)
    return page_response(request, "statuspage/history.html", context)


def months_context(query: QueryDict, context: dict, first: date | None) -> dict | None:
    """Page ?page= of the months, or None when there is no such page."""
    number = page_number(query)
    this_month = context["today"].replace(day=1)
    last = last_page(this_month, first)
    if number is None or number > last:
        return None
    newest = month_shift(this_month, -MONTHS_PER_PAGE * (number - 1))
    component = context["component"]
    rows = selectors.history_between(
        *months_window(newest, MONTHS_PER_PAGE, context["tz"]),
        component_id=component.pk if component else None,
    )
    return {
        "groups": month_groups(list(rows), newest=newest, count=MONTHS_PER_PAGE, tz=context["tz"]),
        "page_number": number,
        "newer_page": number - 1 if number > 2 else None,
        "has_newer": number > 1,
        "older_page": number + 1 if number < last else None,
    }


def last_page(this_month: date, first: date | None) -> int:
    """The page that holds the month of the oldest incident (1 when there is none)."""
    if first is None:
        return 1
    months = (this_month.year - first.year) * 12 + this_month.month - first.month
    return max(1, months // MONTHS_PER_PAGE + 1)


def day_context(query: QueryDict, context: dict, first: date | None) -> dict | None:
    """What was open on ?day=, or None when that day is not one of the history's."""
    if first is None or "page" in query:
        return None
    today, tz = context["today"], context["tz"]
    day = chosen_day(query, first=first, today=today)
    if day is None:
        return None
    component = context["component"]
    rows = selectors.history_open_between(
        day_start(day, tz),
        day_start(day + timedelta(days=1), tz),
        component_id=component.pk if component else None,
    )
    return {
        "day": day,
        "day_incidents": list(rows),
        "previous_day": (day - timedelta(days=1)).isoformat() if day > first else None,
        "next_day": (day + timedelta(days=1)).isoformat() if day < today else None,
    }
