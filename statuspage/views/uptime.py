"""The uptime pages `/uptime` and `/uptime/<component>`: one component's last three months as
calendars, each day coloured, with each month's uptime; a selector for the other components.
Components without a showcased uptime, or hidden while operational, have no uptime page."""

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.dates import WEEKDAYS_ABBR

from incidents import selectors
from incidents.models import Component, ComponentGroup
from statuspage.page_frame import page_not_found, public_context
from statuspage.public_cache import public_response
from statuspage.views.context import month_shift
from statuspage.views.day_cells import month_calendars, uptime_bars
from statuspage.views.overview import is_shown

MONTHS = 3
# Calendar columns from Sunday, in the active language.
WEEKDAY_NAMES = [WEEKDAYS_ABBR[(column + 6) % 7] for column in range(7)]


@dataclass(frozen=True)
class Choice:
    component: Component
    group: ComponentGroup | None


def choices() -> list[Choice]:
    """The components whose uptime the page shows (showcased, and not hidden from the
    overview), in page order, each with its group (read with it, not per component)."""
    return [
        Choice(component, entry.group)
        for entry in selectors.components_in_order()
        for component in entry.components
        if component.showcase and is_shown(component)
    ]


def chosen(options: list[Choice], public_id: str | None) -> Choice | None:
    """The component asked for (None when it is not one of `options`), else the first."""
    if public_id is not None:
        return next((o for o in options if o.component.public_id == public_id), None)
    return options[0] if options else None


@public_response
def uptime(request: HttpRequest, public_id: str | None = None) -> HttpResponse:
    page = selectors.page_settings()
    context = public_context(request, page, section="uptime")
    options = choices()
    choice = chosen(options, public_id)
    if public_id is not None and choice is None:
        return page_not_found(request, page)
    months = [month_shift(context["today"].replace(day=1), -n) for n in reversed(range(MONTHS))]
    calendars = []
    if choice is not None:
        days = (context["today"] - months[0]).days + 1
        bars = uptime_bars([choice.component], days=days, tz=context["tz"], now=context["now"])
        calendars = month_calendars(bars[choice.component.pk], months)
    context.update(options=options, choice=choice, calendars=calendars, weekday_names=WEEKDAY_NAMES)
    return render(request, "statuspage/uptime.html", context)
