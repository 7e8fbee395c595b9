"""What the public site's views share besides the page frame (statuspage.page_frame): the
roll-up banner's wording, times in the page's zone, and day and month arithmetic."""

import zoneinfo
from datetime import date, datetime, time

from django.utils.translation import gettext_lazy as _

from incidents.selectors import MAINTENANCE_INDICATOR
from statuspage.page_frame import utc_offset

# The page indicator in words, translatable (selectors.INDICATOR_DESCRIPTIONS holds the English
# wording of the JSON API, which must stay untranslated).
BANNER_TEXT = {
    "none": _("All Systems Operational"),
    "minor": _("Minor Service Outage"),
    "major": _("Partial System Outage"),
    "critical": _("Major System Outage"),
    MAINTENANCE_INDICATOR: _("Service Under Maintenance"),
}


def day_start(day: date, tz: zoneinfo.ZoneInfo) -> datetime:
    """Midnight opening `day` in `tz` (aware)."""
    return datetime.combine(day, time.min, tzinfo=tz)


def zone_label(moment: datetime) -> str:
    """The zone's abbreviation (JST, CET, UTC), or its offset when it has only a number."""
    name = moment.tzname() or ""
    if name and name[0] not in "+-" and not name.isdigit():
        return name
    return utc_offset(moment)


def page_time_text(moment: datetime, tz: zoneinfo.ZoneInfo) -> str:
    """`moment` in the page's zone with its abbreviation or offset: 2026-11-22 14:05 JST."""
    local = moment.astimezone(tz)
    return f"{local:%Y-%m-%d %H:%M} {zone_label(local)}"


def month_shift(first: date, months: int) -> date:
    """The first day of the month `months` after (or before, when negative) `first`'s month."""
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
