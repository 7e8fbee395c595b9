"""Template helpers of the public pages: translated content, Markdown, times in the page's zone,
status words and internal links that keep the chosen language."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from incidents import selectors
from incidents.choices import ComponentStatus
from incidents.reliability import duration_text
from incidents.rendering import render_markdown
from incidents.uptime import percentage_text
from statuspage.languages import in_language, with_language
from statuspage.page_frame import utc_offset
from statuspage.views.context import page_time_text
from statuspage.views.day_cells import DayCell
from statuspage.views.day_html import tip_html
from statuspage.views.summary_cache import rendered_summary

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
def uptime_percent(value: float) -> str:
    """An uptime percentage as the page prints it: two places, cut and never rounded up to
    100.00 (incidents.uptime.percentage_text)."""
    return percentage_text(value)


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
    page script (static/statuspage/page.js) rewrites it into the visitor's zone."""
    if moment is None:
        return ""
    local = moment.astimezone(context["tz"])
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        local.isoformat(timespec="minutes"),
        f"{context['tz'].key} ({utc_offset(local)})",
        page_time_text(moment, context["tz"]),
    )


@dataclass(frozen=True)
class FoldedTimeline:
    """A timeline, newest first, in three parts: those in view before and after the fold."""

    newest: list
    folded: list
    oldest: list


@register.filter
def folded(updates, shown: int | str) -> FoldedTimeline:
    """`updates` (newest first) with all but the newest and the oldest folded away when there
    are more than `shown` (0: none folded): a long outage's twenty updates would bury the
    next incident, while its first and last words say what happened."""
    updates, shown = list(updates), int(shown or 0)
    if not shown or len(updates) <= shown:
        return FoldedTimeline(updates, [], [])
    return FoldedTimeline(updates[:1], updates[1:-1], updates[-1:])


@register.simple_tag(takes_context=True)
def public_url(context, name: str, *args, **query) -> str:
    """reverse(`name`) with the query parameters given, and ?lang= when the visitor chose it."""
    url = reverse(name, args=args)
    # None or "" leaves a parameter out (a template's `component.public_id` of no component).
    params = {key: value for key, value in query.items() if value not in (None, "")}
    if params:
        url = f"{url}?{urlencode(params)}"
    request = context.get("request")
    return with_language(url, request) if request is not None else url


@register.simple_tag(takes_context=True)
def incident_summary(context, incident, level: int) -> SafeString:
    """A past incident's summary (statuspage/includes/incident_summary.html) at heading
    `level`, rendered once for as long as nothing it shows changes
    (statuspage.views.summary_cache)."""
    return rendered_summary(context, incident, int(level))


@register.simple_tag
def day_tip(cell: DayCell, tip_id: str) -> SafeString:
    """The words of one day (date, outage minutes, related incidents), shown on hover or
    focus of its cell, which names itself with them through aria-labelledby."""
    return mark_safe(tip_html(cell, escape(tip_id), get_language()))


@register.filter
def epoch_ms(moment: datetime) -> int:
    """`moment` in whole milliseconds since the epoch: what page.js compares with an
    /api/v2 time (which has milliseconds) to tell whether a row changed since the page was
    rendered."""
    return int(moment.timestamp()) * 1000 + moment.microsecond // 1000


@register.simple_tag
def language_url(name: str) -> str:
    """reverse(`name`) in the active language, for another program to read (a feed reader):
    see statuspage.languages.in_language."""
    return in_language(reverse(name), get_language())
