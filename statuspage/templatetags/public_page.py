"""Template helpers of the public pages: translated content, Markdown, times in the page's zone,
status words and internal links that keep the chosen language."""

import functools
from datetime import date, datetime
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from incidents import selectors
from incidents.choices import ComponentStatus
from incidents.rendering import render_markdown
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


@register.simple_tag
def day_tip(cell: DayCell, tip_id: str) -> SafeString:
    """The words of one day (date, outage minutes, related incidents), shown on hover or
    focus of its cell, which names itself with them through aria-labelledby."""
    lines = format_html_join("", "<span>{}</span>", ((line,) for line in cell.outage_lines))
    related = ""
    language = get_language()
    if cell.incidents:
        names = "; ".join(selectors.localized(i, "name", language) for i in cell.incidents)
        related = format_html("<span>{} {}</span>", _("Related:"), names)
    return format_html(
        '<span class="tip" id="{}"><strong>{}</strong>{}{}</span>',
        tip_id,
        day_label(cell.day.date, language),
        lines,
        related,
    )


@register.simple_tag
def uptime_cells(bar: UptimeBar, prefix: str) -> SafeString:
    """The <li> cells of a 90-day bar: the page's hottest loop, so built here, not in a
    template."""
    return format_html_join(
        "\n",
        '<li class="day s-{}" tabindex="0" aria-labelledby="{}">{}</li>',
        (
            (cell.status, f"{prefix}-{n}", day_tip(cell, f"{prefix}-{n}"))
            for n, cell in enumerate(bar.cells)
        ),
    )
