"""The tab icon of a public page (statuspage.branding)."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from statuspage.branding import icon_href

register = template.Library()


@register.simple_tag(takes_context=True)
def page_icon(context) -> SafeString:
    """`<link rel="icon">`'s address: the roll-up's colour on the page that shows the roll-up
    (its context has `status`, a PageStatus), the brand's elsewhere. Safe as it is in a
    double-quoted attribute: icon_href leaves no quote, <, > or & unescaped."""
    indicator = getattr(context.get("status"), "indicator", "")
    return mark_safe(icon_href(context.get("brand"), indicator))
