"""The frame every public page shares, the status page's and the subscription pages' alike:
the context that its base template (statuspage/base.html) needs, the response that carries it
(with the Content-Security-Policy of its brand style), and the 404 page in that look.

The public site and notify both import it, so it imports neither of them.
"""

from datetime import datetime

from csp.constants import HEADER as CSP_HEADER
from csp.utils import build_policy
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language

from incidents import selectors
from incidents.models import PageSettings
from statuspage.branding import brand_of
from statuspage.languages import language_links, with_language


def utc_offset(moment: datetime) -> str:
    """The offset of an aware moment as UTC±hh:mm (UTC+09:00 in Tokyo)."""
    raw = moment.strftime("%z")
    return f"UTC{raw[:3]}:{raw[3:]}" if raw else "UTC"


def public_context(request: HttpRequest, page: PageSettings, **extra) -> dict:
    """The context of every public page, plus `extra`."""
    language = get_language() or "en"
    tz = selectors.time_zone_of(page)
    now = timezone.now().astimezone(tz)
    return {
        "page": page,
        "page_name": selectors.localized(page, "name", language),
        "brand": brand_of(page, language),
        "tz": tz,
        "language": language,
        "language_links": language_links(request, language),
        "subscribe_url": with_language("/subscribe", request),
        "zone_description": f"{tz.key} ({utc_offset(now)})",
        "now": now,
        "today": now.date(),
        **extra,
    }


def page_response(
    request: HttpRequest, template: str, context: dict, *, status: int = 200
) -> HttpResponse:
    """`template` (one extending statuspage/base.html) rendered with `context`.

    A page with a brand colour carries it in its own <style>, which its Content-Security-Policy
    allows by its hash. The policy is set here, on the response, rather than by the CSP
    middleware: statuspage.public_cache keeps a response's headers with its body (in memory, in
    the shared cache, in the snapshot) and nginx does the same, so a page served from any of
    them carries the policy of its own style, also after the colour changed.
    """
    response = render(request, template, context, status=status)
    source = context["brand"].style_source
    if source:
        response[CSP_HEADER] = build_policy(update={"style-src": [source]})
    return response


def page_not_found(request: HttpRequest, page: PageSettings) -> HttpResponse:
    """A 404 page in the page's own look and language (public_response serves it as is: only
    200s are cached)."""
    context = public_context(request, page, section="")
    return page_response(request, "statuspage/not_found.html", context, status=404)
