"""Template helpers of the public pages: translated content, Markdown, times in the page's zone,
status words and internal links that keep the chosen language."""

import functools
from datetime import date, datetime, timedelta
from html import escape  # the plain function: Django's lazy-aware one costs 4x in hot loops
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from incidents import selectors
from incidents.choices import ComponentStatus
from incidents.reliability import duration_text
from incidents.rendering import render_markdown
from incidents.uptime import UptimeDay
from statuspage.views.context import page_time_text, utc_offset, with_language
from statuspage.views.day_cells import DayCell, UptimeBar

register = template.Library()


@register.filter
def localized(obj, field: str) -> str:
    """`obj.<field>` in the active language when a translation is stored."""
    return selectors.localized(obj, field, get_language())


@register.filter
def markdown(text: str) -> SafeString:
    """Sanitised HTML of Markdown `text` (incidents.rendering)."""
    return render_markdown(text)


@register.filter
def duration(delta: timedelta | None) -> str:
    """A duration in hours and minutes ("1 h 20 min"), in the active language."""
    return duration_text(delta)


@register.filter
def component_status_label(value: str) -> str:
    """The words for a component status value, in the active language."""
    try:
        return str(ComponentStatus(value).label)
    except ValueError:
        return value


@register.simple_tag(takes_context=True)
def page_time(context, moment: datetime | None) -> SafeString | str:
    """A <time> element showing `moment` in the page's time zone, with its offset; the
    local-time script rewrites it into the visitor's zone."""
    if moment is None:
        return ""
    local = moment.astimezone(context["tz"])
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        local.isoformat(timespec="minutes"),
        f"{context['tz'].key} ({utc_offset(local)})",
        page_time_text(moment, context["tz"]),
    )


@register.simple_tag(takes_context=True)
def public_url(context, name: str, *args, **query) -> str:
    """reverse(`name`) with the query parameters given, and ?lang= when the visitor chose it."""
    url = reverse(name, args=args)
    params = {key: value for key, value in query.items() if value is not None}
    if params:
        url = f"{url}?{urlencode(params)}"
    request = context.get("request")
    return with_language(url, request) if request is not None else url


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


@register.simple_tag
def day_tip(cell: DayCell, tip_id: str) -> SafeString:
    """The words of one day (date, outage minutes, related incidents), shown on hover or
    focus of its cell, which names itself with them through aria-labelledby."""
    return mark_safe(tip_html(cell, escape(tip_id), get_language()))


def uptime_cells(bar: UptimeBar, language: str) -> SafeString:
    """The <li> cells of a 90-day bar: the page's hottest loop and most of its bytes (810
    cells on a page of nine components), so built with plain strings — every dynamic part
    escaped — and kept small: each cell names itself with its words in `aria-label`, which
    the style sheet also shows as the cell's tooltip on hover and focus. The last day is the
    bar's one Tab stop; uptime-bar.js moves between days with the arrow keys. The overview
    keeps the result (statuspage.views.bar_cache)."""
    last = len(bar.cells) - 1
    cells = [
        f"<li{STATUS_CLASS.get(cell.status, '')}{TAB_STOP if n == last else ''}"
        f' aria-label="{cell_label(cell, language)}"></li>'
        for n, cell in enumerate(bar.cells)
    ]
    return mark_safe("\n".join(cells))


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
