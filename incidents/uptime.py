"""Uptime figures: per component and per day of the page's time zone, from the status history
that incidents.selectors reads; and the same figures over any window (component_segments,
window_figures), for post-mortems and the reliability report.

Weighting (documented in docs/uptime.md): a minute of major outage is a minute of downtime, a
minute of partial outage counts as 0.3 of one (Statuspage's weighting); degraded performance
and maintenance count as up. Days before a component's history (or its start_date) have no
data and are left out of the percentage.
"""

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal

from django.utils import timezone
from django.utils.formats import number_format

from incidents import selectors
from incidents.choices import COMPONENT_STATUS_SEVERITY, ComponentStatus
from incidents.models import Component

PARTIAL_OUTAGE_WEIGHT = 0.3
DOWNTIME_WEIGHT: dict[str, float] = {
    ComponentStatus.MAJOR_OUTAGE: 1.0,
    ComponentStatus.PARTIAL_OUTAGE: PARTIAL_OUTAGE_WEIGHT,
}
DEFAULT_DAYS = 90
# TextChoices.values builds a new list on every access; the day loop needs it 810 times a page.
STATUSES = tuple(ComponentStatus.values)


@dataclass(frozen=True)
class UptimeDay:
    date: date
    worst_status: str | None  # None: no data for this day
    partial_outage_minutes: int
    major_outage_minutes: int
    degraded_minutes: int
    observed_seconds: float
    downtime_seconds: float


@dataclass(frozen=True)
class ComponentUptime:
    component_id: int
    days: list[UptimeDay]

    @property
    def uptime_percentage(self) -> float | None:
        """Weighted uptime over the days with data, in percent (None when there is no data)."""
        observed = sum(day.observed_seconds for day in self.days)
        return uptime_percentage(observed, sum(day.downtime_seconds for day in self.days))


def uptime_percentage(observed_seconds: float, downtime_seconds: float) -> float | None:
    """Weighted uptime in percent, unrounded (None when nothing was observed): whatever shows
    it cuts it with shown_percentage()."""
    if not observed_seconds:
        return None
    # 100 less the downtime's share: no downtime is exactly 100.0, where 100 * observed /
    # observed can come out a hair under (99.99999999999999), which cutting shows as 99.99.
    return 100 - 100 * downtime_seconds / observed_seconds


PERCENT_DECIMALS = 2


def shown_percentage(value: float, decimals: int = PERCENT_DECIMALS) -> float:
    """`value` cut to `decimals` places, never rounded up: a 3-minute outage in 90 days is
    99.997 %, which rounding would print as 100.00 % beside a red day. Cutting never
    overstates uptime, and only a period without any downtime reads 100.00."""
    step = Decimal(1).scaleb(-decimals)
    # repr() is the float's shortest exact spelling: 99.99 stays 99.99, not 99.98999….
    return float(Decimal(repr(value)).quantize(step, rounding=ROUND_DOWN))


def percentage_text(value: float, decimals: int = PERCENT_DECIMALS) -> str:
    """`value` as the pages print it: cut (shown_percentage), with `decimals` places in the
    active language's number format ("99.99")."""
    return number_format(shown_percentage(value, decimals), decimals)


def uptime_by_day(component: Component, *, days: int = DEFAULT_DAYS, now: datetime | None = None):
    """The last `days` days of one component (see uptime_for_components)."""
    return uptime_for_components([component], days=days, now=now)[component.pk]


def uptime_for_components(
    components,
    *,
    days: int = DEFAULT_DAYS,
    now: datetime | None = None,
    time_zone: str | None = None,
) -> dict[int, ComponentUptime]:
    """Per-day uptime of each component over the last `days` days (today included, up to now).

    Two queries whatever the number of components and days: the status each had when the
    window opened, and the changes inside it.
    """
    now = now or timezone.now()
    tz = zoneinfo.ZoneInfo(time_zone or selectors.page_settings().time_zone)
    today = now.astimezone(tz).date()
    first_day = today - timedelta(days=days - 1)
    window_start = datetime.combine(first_day, time.min, tzinfo=tz)
    components = list(components)
    spans = component_segments([c.pk for c in components], start=window_start, end=now)
    days_in_window = day_bounds(date_range(first_day, today), tz, now)
    result = {}
    for component in components:
        segments = spans[component.pk]
        if component.start_date:
            data_from = datetime.combine(component.start_date, time.min, tzinfo=tz)
            segments = clip_segments(segments, data_from, now)
        result[component.pk] = ComponentUptime(
            component_id=component.pk,
            days=daily_figures(days_in_window, segments),
        )
    return result


Segment = tuple[datetime, datetime, str]


def component_segments(
    component_ids: list[int], *, start: datetime, end: datetime
) -> dict[int, list[Segment]]:
    """Each component's spans of one status over [start, end], from its history, in two
    queries: the status each had when the window opened, and the changes inside it."""
    opening = selectors.statuses_before(component_ids, start)
    changes: dict[int, list[tuple[datetime, str]]] = {pk: [] for pk in component_ids}
    for component_id, at, status in selectors.status_changes(component_ids, start=start, end=end):
        changes[component_id].append((at, status))
    return {pk: status_segments(opening.get(pk), changes[pk], start, end) for pk in component_ids}


@dataclass(frozen=True)
class WindowFigures:
    """How one component fared over an arbitrary window (an incident, a month)."""

    major_outage_minutes: int
    partial_outage_minutes: int
    degraded_minutes: int
    observed_seconds: float
    downtime_seconds: float

    @property
    def uptime_percentage(self) -> float | None:
        return uptime_percentage(self.observed_seconds, self.downtime_seconds)


def window_figures(segments: list[Segment], start: datetime, end: datetime) -> WindowFigures:
    """The outage minutes and weighted downtime of `segments` inside [start, end], with the
    same weighting as the daily figures."""
    seconds = dict.fromkeys(STATUSES, 0.0)
    for seg_start, seg_end, status in clip_segments(segments, start, end):
        seconds[status] += (seg_end - seg_start).total_seconds()
    day = day_figures(start.date(), seconds)
    return WindowFigures(
        major_outage_minutes=day.major_outage_minutes,
        partial_outage_minutes=day.partial_outage_minutes,
        degraded_minutes=day.degraded_minutes,
        observed_seconds=day.observed_seconds,
        downtime_seconds=day.downtime_seconds,
    )


def status_segments(
    opening: str | None, changes: list[tuple[datetime, str]], start: datetime, end: datetime
) -> list[Segment]:
    """Cut [start, end] into spans of one status; before the first known status there is none."""
    segments = []
    current, since = opening, start
    for at, status in changes:
        if current is not None and at > since:
            segments.append((since, at, current))
        current, since = status, max(at, start)
    if current is not None and end > since:
        segments.append((since, end, current))
    return segments


def clip_segments(segments: list[Segment], start: datetime, end: datetime) -> list[Segment]:
    clipped = [(max(a, start), min(b, end), s) for a, b, s in segments]
    return [(a, b, s) for a, b, s in clipped if b > a]


def day_bounds(days: list[date], tz, now: datetime) -> list[tuple[date, datetime, datetime]]:
    """Each day with its start and end (now, for today) in the page's zone."""
    return [
        (
            day,
            datetime.combine(day, time.min, tzinfo=tz),
            min(datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz), now),
        )
        for day in days
    ]


def daily_figures(days: list[tuple[date, datetime, datetime]], segments: list[Segment]):
    """The figures of each day, in one sweep over the (time-ordered) segments."""
    figures = []
    first = 0  # the first segment that may still reach into the current day
    for day, day_start, day_end in days:
        while first < len(segments) and segments[first][1] <= day_start:
            first += 1
        if (
            first < len(segments)
            and segments[first][0] <= day_start < day_end <= segments[first][1]
        ):
            # Most days of most components lie wholly in one status: no sums to make.
            status = segments[first][2]
            figures.append(whole_day(day, status, (day_end - day_start).total_seconds()))
            continue
        seconds = dict.fromkeys(STATUSES, 0.0)
        index = first
        while index < len(segments) and segments[index][0] < day_end:
            seg_start, seg_end, status = segments[index]
            overlap = (min(seg_end, day_end) - max(seg_start, day_start)).total_seconds()
            if overlap > 0:
                seconds[status] += overlap
            index += 1
        while first < len(segments) and segments[first][1] <= day_end:
            first += 1
        figures.append(day_figures(day, seconds))
    return figures


def whole_day(day: date, status: str, length: float) -> UptimeDay:
    """The figures of a day spent in one status throughout."""
    minutes = round(length / 60)
    return UptimeDay(
        date=day,
        worst_status=status,
        partial_outage_minutes=minutes if status == ComponentStatus.PARTIAL_OUTAGE else 0,
        major_outage_minutes=minutes if status == ComponentStatus.MAJOR_OUTAGE else 0,
        degraded_minutes=minutes if status == ComponentStatus.DEGRADED_PERFORMANCE else 0,
        observed_seconds=length,
        downtime_seconds=length * DOWNTIME_WEIGHT.get(status, 0.0),
    )


def day_figures(day: date, seconds: dict[str, float]) -> UptimeDay:
    present = [status for status, secs in seconds.items() if secs > 0]
    partial = seconds[ComponentStatus.PARTIAL_OUTAGE]
    major = seconds[ComponentStatus.MAJOR_OUTAGE]
    return UptimeDay(
        date=day,
        worst_status=max(present, key=COMPONENT_STATUS_SEVERITY.__getitem__) if present else None,
        partial_outage_minutes=round(partial / 60),
        major_outage_minutes=round(major / 60),
        degraded_minutes=round(seconds[ComponentStatus.DEGRADED_PERFORMANCE] / 60),
        observed_seconds=sum(seconds.values()),
        downtime_seconds=major + PARTIAL_OUTAGE_WEIGHT * partial,
    )


def date_range(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
