"""The HTML of days of uptime, in plain strings for speed: the cells of a 90-day bar (the
overview's hottest loop, kept rendered by statuspage.views.bar_cache) and the words of a day's
tip on the uptime calendars (the day_tip template tag)."""

import functools
from datetime import date
from html import escape  # the plain function: Django's lazy-aware one costs 4x in hot loops
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from incidents import selectors
from incidents.uptime import UptimeDay
from statuspage.views.day_cells import DayCell, UptimeBar


@functools.lru_cache(maxsize=512)
def day_label(day: date, language: str) -> str:
    """`day` in the language's date format (memoised: every bar shows the same 90 days)."""
    return date_format(day, "DATE_FORMAT")


@functools.lru_cache(maxsize=4096)
def day_words(language: str, worst_status, major: int, partial: int, degraded: int, names):
    """The escaped inner words of a day's tip: memoised by what they say, since most days of
    most bars say the same thing ("No downtime recorded")."""
    texts = day_texts(worst_status, major, partial, degraded, names)
    return "".join(f"<span>{escape(text)}</span>" for text in texts)


def day_facts(cell: DayCell, language: str) -> tuple:
    """What a day's words say, as the memoised day_words()/day_lines() take it."""
    day = cell.day
    names = tuple(selectors.localized(i, "name", language) for i in cell.incidents)
    return (
        language,
        day.worst_status,
        day.major_outage_minutes,
        day.partial_outage_minutes,
        day.degraded_minutes,
        names,
    )


def tip_html(cell: DayCell, tip_id: str, language: str) -> str:
    words = day_words(*day_facts(cell, language))
    label = escape(day_label(cell.day.date, language))
    return f'<span class="tip" id="{tip_id}"><strong>{label}</strong>{words}</span>'


def uptime_cells(bar: UptimeBar, language: str) -> SafeString:
    """The <li> cells of a 90-day bar: the page's hottest loop and most of its bytes (810
    cells on a page of nine components), so built with plain strings — every dynamic part
    escaped — and kept small: each cell names itself with its words in `aria-label`, which
    the style sheet also shows as the cell's tooltip on hover and focus. The last day is the
    bar's one Tab stop; page.js moves between days with the arrow keys. A day with
    incidents holds a link to them (day_link). The overview keeps the result
    (statuspage.views.bar_cache)."""
    last = len(bar.cells) - 1
    cells = [
        f"<li{STATUS_CLASS.get(cell.status, '')}{TAB_STOP if n == last else ''}"
        f' aria-label="{cell_label(cell, language)}">'
        f"{day_link(bar, cell, language) if cell.incidents else ''}</li>"
        for n, cell in enumerate(bar.cells)
    ]
    return mark_safe("\n".join(cells))


def day_history_url(public_id: str, day: date, language: str) -> str:
    """The history of one component's day (statuspage.views.history). The language is always
    named: a bar is kept per language, not per way the visitor chose it."""
    query = urlencode({"component": public_id, "day": day.isoformat(), "lang": language})
    return f"{reverse('public:history')}?{query}"


def day_link(bar: UptimeBar, cell: DayCell, language: str) -> str:
    """A link covering a bar's day to that day's incidents: a click follows it, and Enter on
    the focused day does too (page.js). It is out of the Tab order, as the day itself is
    the bar's stop and already says what the day held."""
    url = escape(day_history_url(bar.component_public_id, cell.day.date, language))
    label = escape(_("The incidents of %(date)s") % {"date": day_label(cell.day.date, language)})
    return f'<a href="{url}" tabindex="-1" aria-label="{label}"></a>'


# A bar's day carries a class only when it was not operational (the style sheet's default):
# most days of most bars are, and each of the 810 cells counts.
STATUS_CLASS = {
    status: f' class="s-{status}"'
    for status in ("degraded_performance", "partial_outage", "major_outage", "under_maintenance")
} | {"none": ' class="s-none"'}
TAB_STOP = ' tabindex="0"'


def cell_label(cell: DayCell, language: str) -> str:
    """A day's words on lines of their own (date, outage minutes, related incidents), escaped
    for an attribute."""
    lines = day_lines(*day_facts(cell, language))
    return f"{escape(day_label(cell.day.date, language))}\n{lines}"


@functools.lru_cache(maxsize=4096)
def day_lines(language: str, worst_status, major: int, partial: int, degraded: int, names):
    """The escaped lines of a day's words after its date, memoised by what they say."""
    return escape("\n".join(day_texts(worst_status, major, partial, degraded, names)))


def day_texts(worst_status, major: int, partial: int, degraded: int, names) -> list[str]:
    """What a day held, in words: outage minutes (or why there is nothing), related names."""
    cell = DayCell(
        day=UptimeDay(date.min, worst_status, partial, major, degraded, 0.0, 0.0), incidents=[]
    )
    texts = list(cell.outage_lines)
    if names:
        texts.append(f"{_('Related:')} {'; '.join(names)}")
    return texts
