"""Days of uptime as the pages draw them: the cells of the 90-day bars and of the monthly
calendars, each with its words (date, outage minutes, the incidents of that day)."""

import calendar
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from incidents import selectors
from incidents.choices import ComponentStatus
from incidents.models import Component
from incidents.uptime import UptimeDay, date_range, uptime_for_components, uptime_percentage
from statuspage.views.context import day_start

NO_DATA = "none"


@dataclass(frozen=True)
class DayIncident:
    """An incident or maintenance that touched a component on a day (for the cell's words)."""

    public_id: str
    name: str
    name_ja: str


@dataclass(frozen=True)
class DayCell:
    day: UptimeDay
    incidents: list[DayIncident] = field(default_factory=list)

    @property
    def status(self) -> str:
        """The CSS status of the cell: the day's worst status, or "none" without data."""
        return self.day.worst_status or NO_DATA

    @property
    def outage_lines(self) -> list[str]:
        """What the day held, in words: minutes of outage, or why there is nothing to show."""
        day = self.day
        if day.worst_status is None:
            return [_("No data")]
        figures = (
            (ComponentStatus.MAJOR_OUTAGE, day.major_outage_minutes),
            (ComponentStatus.PARTIAL_OUTAGE, day.partial_outage_minutes),
            (ComponentStatus.DEGRADED_PERFORMANCE, day.degraded_minutes),
        )
        lines = [
            minutes_text(status, minutes) % {"minutes": minutes}
            for status, minutes in figures
            if minutes
        ]
        if not lines and day.worst_status != ComponentStatus.OPERATIONAL:
            lines = [str(ComponentStatus(day.worst_status).label)]
        return lines or [_("No downtime recorded")]


def minutes_text(status: str, minutes: int) -> str:
    if status == ComponentStatus.MAJOR_OUTAGE:
        return ngettext(
            "Major outage: %(minutes)s minute", "Major outage: %(minutes)s minutes", minutes
        )
    if status == ComponentStatus.PARTIAL_OUTAGE:
        return ngettext(
            "Partial outage: %(minutes)s minute", "Partial outage: %(minutes)s minutes", minutes
        )
    return ngettext(
        "Degraded performance: %(minutes)s minute",
        "Degraded performance: %(minutes)s minutes",
        minutes,
    )


@dataclass(frozen=True)
class UptimeBar:
    cells: list[DayCell]
    uptime_percentage: float | None
    component_public_id: str = ""  # for the links of days to their incidents


def incident_rows(component_ids: list[int], *, first_day: date, tz: zoneinfo.ZoneInfo, now):
    """The incidents and started maintenance of these components open at some time from
    `first_day` to now, one row per incident and component (one query)."""
    return list(
        selectors.incidents_touching(component_ids, since=day_start(first_day, tz), until=now)
    )


def incidents_by_component_day(
    rows, *, first_day: date, tz: zoneinfo.ZoneInfo, now: datetime
) -> dict[tuple[int, date], list[DayIncident]]:
    """The incidents of each component on each day from `first_day` to today."""
    today = now.astimezone(tz).date()
    found: dict[tuple[int, date], list[DayIncident]] = defaultdict(list)
    for component_id, public_id, name, name_ja, started_at, resolved_at in rows:
        first = max(started_at.astimezone(tz).date(), first_day)
        last = min((resolved_at or now).astimezone(tz).date(), today)
        for day in date_range(first, last):
            found[component_id, day].append(DayIncident(public_id, name, name_ja))
    return found


def first_bar_day(*, days: int, tz: zoneinfo.ZoneInfo, now: datetime) -> date:
    return now.astimezone(tz).date() - timedelta(days=days - 1)


def uptime_bars(
    components: list[Component], *, days: int, tz: zoneinfo.ZoneInfo, now: datetime, rows=None
) -> dict[int, UptimeBar]:
    """The last `days` days of each component as cells, with the period's uptime percentage.

    Three queries whatever the number of components and days (none without components; two
    when the incident rows, from incident_rows(), are given).
    """
    if not components:
        return {}
    first_day = first_bar_day(days=days, tz=tz, now=now)
    if rows is None:
        rows = incident_rows([c.pk for c in components], first_day=first_day, tz=tz, now=now)
    uptimes = uptime_for_components(components, days=days, now=now, time_zone=tz.key)
    related = incidents_by_component_day(rows, first_day=first_day, tz=tz, now=now)
    public_ids = {c.pk: c.public_id for c in components}
    return {
        pk: UptimeBar(
            cells=[DayCell(day, related.get((pk, day.date), [])) for day in uptime.days],
            uptime_percentage=uptime.uptime_percentage,
            component_public_id=public_ids[pk],
        )
        for pk, uptime in uptimes.items()
    }


@dataclass(frozen=True)
class MonthCalendar:
    """One month of one component: weeks of seven slots (None outside the month or to come)."""

    first_day: date
    weeks: list[list[DayCell | None]]
    uptime_percentage: float | None


def month_calendars(bar: UptimeBar, months: list[date]) -> list[MonthCalendar]:
    """Lay the cells of `bar` out as calendars (weeks from Sunday) of the given months."""
    by_day = {cell.day.date: cell for cell in bar.cells}
    calendars = []
    sunday_first = calendar.Calendar(firstweekday=6)
    for first in months:
        weeks = [
            [by_day.get(day) if day.month == first.month else None for day in week]
            for week in sunday_first.monthdatescalendar(first.year, first.month)
        ]
        cells = [cell for week in weeks for cell in week if cell is not None]
        calendars.append(MonthCalendar(first, weeks, percentage_of(cells)))
    return calendars


def percentage_of(cells: list[DayCell]) -> float | None:
    observed = sum(cell.day.observed_seconds for cell in cells)
    return uptime_percentage(observed, sum(cell.day.downtime_seconds for cell in cells))
