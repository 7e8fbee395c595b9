"""The uptime pages `/uptime` and `/uptime/<component>`: three months of one component as
calendars (the last three, or those ending with ?month=YYYY-MM, back to the month its status
history starts), each day coloured, with each month's uptime; a day with incidents links to
them (the history of that day); a selector for the other components. Components without a
showcased uptime, or hidden while operational, have no uptime page."""

import zoneinfo
from dataclasses import dataclass
from datetime import date

from django.http import HttpRequest, HttpResponse
from django.utils.dates import WEEKDAYS_ABBR

from incidents import selectors
from incidents.models import Component, ComponentGroup
from statuspage.page_frame import page_not_found, page_response, public_context
from statuspage.public_cache import public_response
from statuspage.views.context import day_start, month_shift
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


def months_to_show(newest: date) -> list[date]:
    return [month_shift(newest, -n) for n in reversed(range(MONTHS))]


def oldest_month(component: Component, tz: zoneinfo.ZoneInfo, this_month: date) -> date:
    """The month the component's status history starts in (its uptime's first data)."""
    first = selectors.first_status_change_at(component.pk)
    if first is None:
        return this_month
    return min(first.astimezone(tz).date().replace(day=1), this_month)


def chosen_month(raw: str | None, *, oldest: date, this_month: date) -> date | None:
    """?month=YYYY-MM as its first day (absent: this month), or None when it is not one
    written the one way, or not from `oldest` to this month."""
    if raw is None:
        return this_month
    try:
        first = date.fromisoformat(f"{raw}-01")
    except ValueError:
        return None
    return first if f"{first:%Y-%m}" == raw and oldest <= first <= this_month else None


def month_links(newest: date, *, oldest: date, this_month: date) -> dict:
    """The ?month= of the pages of earlier and later months (None at either end)."""
    earlier = month_shift(newest, -MONTHS)
    later = min(month_shift(newest, MONTHS), this_month)
    return {
        "earlier_month": f"{earlier:%Y-%m}" if months_to_show(newest)[0] > oldest else None,
        "later_month": f"{later:%Y-%m}" if newest < this_month else None,
    }


def component_calendars(component: Component, months: list[date], context: dict):
    """The component's calendars of `months`, computed up to the end of the newest (or now)."""
    tz = context["tz"]
    end = min(context["now"], day_start(month_shift(months[-1], 1), tz))
    days = (end.astimezone(tz).date() - months[0]).days + 1
    bars = uptime_bars([component], days=days, tz=tz, now=end)
    return month_calendars(bars[component.pk], months)


@public_response(params=("month",))
def uptime(request: HttpRequest, public_id: str | None = None) -> HttpResponse:
    page = selectors.page_settings()
    context = public_context(request, page, section="uptime")
    options = choices()
    choice = chosen(options, public_id)
    if public_id is not None and choice is None:
        return page_not_found(request, page)
    context.update(options=options, choice=choice, weekday_names=WEEKDAY_NAMES)
    if choice is not None:
        this_month = context["today"].replace(day=1)
        oldest = oldest_month(choice.component, context["tz"], this_month)
        newest = chosen_month(request.GET.get("month"), oldest=oldest, this_month=this_month)
        if newest is None:
            return page_not_found(request, page)
        context.update(
            calendars=component_calendars(choice.component, months_to_show(newest), context),
            **month_links(newest, oldest=oldest, this_month=this_month),
        )
    elif "month" in request.GET:
        return page_not_found(request, page)
    return page_response(request, "statuspage/uptime.html", context)
