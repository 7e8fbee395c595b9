"""Template helpers of the on-call console's post-mortem and reliability screens."""

from datetime import timedelta

from django import template

from incidents.reliability import duration_text
from incidents.rendering import render_markdown
from incidents.uptime import percentage_text

register = template.Library()


@register.filter
def duration(delta: timedelta | None) -> str:
    """A duration in hours and minutes ("1 h 20 min"), an em dash when there is none."""
    return duration_text(delta)


@register.filter
def markdown(text: str):
    """Sanitised HTML of Markdown `text` (incidents.rendering)."""
    return render_markdown(text)


@register.filter
def uptime_percent(value: float) -> str:
    """An uptime percentage, two places, cut and never rounded up to 100.00."""
    return percentage_text(value)
