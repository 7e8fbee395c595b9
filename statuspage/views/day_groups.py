"""Incidents grouped under day or month headings (the overview's past days, the history's
months), in the page's zone, with what the visitor's zone needs to regroup them.

Why regroup rather than keep the page's days: the page script (page.js) shows every time in the
visitor's zone, and an entry at 00:30 in Tokyo is the evening before in Los Angeles. Left
under the Tokyo day it would contradict its own time ("2026-03-08 08:30 PDT" under "9
March"). So each entry carries its start (data-at) and each group its key (data-group), and
the script moves entries to the group of their day in the visitor's zone. Groups the page's
own range does not show (`spare`, rendered hidden) hold the entries and headings that a zone
up to SPARE_DAYS away may need: zones are at most 26 hours apart. Without JavaScript the page
reads in its own zone, dates and times alike.
"""

import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from incidents.choices import MaintenanceStatus
from incidents.models import Incident
from statuspage.views.context import day_start, month_shift

SPARE_DAYS = 2


@dataclass(frozen=True)
class EntryGroup:
    """The incidents under one heading: a day or a month of the page's zone."""

    key: str  # "2026-03-09" for a day, "2026-03" for a month: the script's key too
    first_day: date
    incidents: list[Incident]
    spare: bool = False  # outside the range the page shows: hidden, for another zone


def shown(started: list[Incident]) -> list[Incident]:
    """What a history lists: everything but maintenance that has not started yet."""
    return [i for i in started if i.status != MaintenanceStatus.SCHEDULED]


def spare_window(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """[start, end) widened by SPARE_DAYS on each side: the entries to read so that another
    zone's groups can be filled."""
    return start - timedelta(days=SPARE_DAYS), end + timedelta(days=SPARE_DAYS)


def day_groups(
    started: list[Incident], *, today: date, days: int, tz: zoneinfo.ZoneInfo
) -> list[EntryGroup]:
    """The `days` days ending with `today`, newest first, each with what started on it, with
    SPARE_DAYS spare days on each side (`started`: newest first)."""
    by_day: dict[date, list[Incident]] = defaultdict(list)
    for incident in shown(started):
        by_day[incident.started_at.astimezone(tz).date()].append(incident)
    first = today - timedelta(days=days - 1)
    every = [today + timedelta(days=n) for n in range(SPARE_DAYS, -days - SPARE_DAYS, -1)]
    return [
        EntryGroup(day.isoformat(), day, by_day.get(day, []), spare=not first <= day <= today)
        for day in every
    ]


def month_groups(
    started: list[Incident], *, newest: date, count: int, tz: zoneinfo.ZoneInfo
) -> list[EntryGroup]:
    """`count` months ending with the month of `newest` (a first day), newest first, each with
    what started in it, between a spare month on each side (`started`: newest first)."""
    by_month: dict[date, list[Incident]] = defaultdict(list)
    for incident in shown(started):
        by_month[incident.started_at.astimezone(tz).date().replace(day=1)].append(incident)
    months = [month_shift(newest, -n) for n in range(-1, count + 1)]
    return [
        EntryGroup(
            f"{first:%Y-%m}", first, by_month.get(first, []), spare=n in (0, len(months) - 1)
        )
        for n, first in enumerate(months)
    ]


def months_window(newest: date, count: int, tz: zoneinfo.ZoneInfo) -> tuple[datetime, datetime]:
    """From the start of the oldest of `count` months ending with `newest` to the end of
    `newest`, widened for the spare groups."""
    oldest = month_shift(newest, -(count - 1))
    return spare_window(day_start(oldest, tz), day_start(month_shift(newest, 1), tz))
