"""Markdown to safe HTML, for every place that shows an update body (page, feeds, e-mail)."""

import functools

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "code", "pre", "blockquote", "hr",
    "ul", "ol", "li", "a", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str) -> SafeString:
    """Render Markdown and sanitise the result with an allow-list (nh3): scripts, event
    handlers, styles and javascript: URLs never survive. Links get rel="nofollow noopener"."""
    return mark_safe(sanitised_html(text or ""))  # nh3 output is safe by construction


@functools.lru_cache(maxsize=4096)
def sanitised_html(text: str) -> str:
    # Memoised by text: a page shows the same update bodies render after render, and the
    # Markdown parser costs about a millisecond each.
    html = markdown.markdown(text, extensions=["sane_lists", "tables"], output_format="html")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
    )
    return clean
