"""The history page `/history`: incidents and maintenance by month, newest first, three months
per page (?page=N)."""

import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from incidents import selectors
from incidents.choices import MaintenanceStatus
from incidents.models import Incident
from statuspage.page_frame import page_not_found, public_context
from statuspage.public_cache import public_response
from statuspage.views.context import day_start, month_shift

MONTHS_PER_PAGE = 3


@dataclass(frozen=True)
class Month:
    first_day: date
    incidents: list[Incident]


def page_number(request: HttpRequest) -> int | None:
    """?page= as a number from 1 (absent: 1), or None when it is not one written the one way
    (ASCII digits, no leading zero), so that each page has a single cache key."""
    raw = request.GET.get("page", "1")
    if not (raw.isascii() and raw.isdigit() and raw == str(int(raw))):
        return None
    return int(raw) if 1 <= int(raw) <= 10_000 else None


def last_page(this_month: date, tz: zoneinfo.ZoneInfo) -> int:
    """The page that holds the month of the oldest incident (1 when there is none)."""
    oldest = selectors.first_incident_start()
    if oldest is None:
        return 1
    first = oldest.astimezone(tz).date()
    months = (this_month.year - first.year) * 12 + this_month.month - first.month
    return max(1, months // MONTHS_PER_PAGE + 1)


def history_months(*, newest: date, tz: zoneinfo.ZoneInfo) -> list[Month]:
    """MONTHS_PER_PAGE months ending with `newest`, newest first, with what started in each."""
    oldest = month_shift(newest, -(MONTHS_PER_PAGE - 1))
    rows = selectors.history_between(day_start(oldest, tz), day_start(month_shift(newest, 1), tz))
    by_month: dict[date, list[Incident]] = defaultdict(list)
    for incident in rows:
        if incident.status != MaintenanceStatus.SCHEDULED:
            by_month[incident.started_at.astimezone(tz).date().replace(day=1)].append(incident)
    months = [month_shift(newest, -n) for n in range(MONTHS_PER_PAGE)]
    return [Month(first, by_month.get(first, [])) for first in months]


@public_response(params=("page",))
def history(request: HttpRequest) -> HttpResponse:
    page = selectors.page_settings()
    context = public_context(request, page, section="history")
    number = page_number(request)
    this_month = context["today"].replace(day=1)
    last = last_page(this_month, context["tz"])
    if number is None or number > last:
        return page_not_found(request, page)
    newest = month_shift(this_month, -MONTHS_PER_PAGE * (number - 1))
    context.update(
        months=history_months(newest=newest, tz=context["tz"]),
        page_number=number,
        newer_page=number - 1 if number > 2 else None,
        has_newer=number > 1,
        older_page=number + 1 if number < last else None,
    )
    return render(request, "statuspage/history.html", context)
