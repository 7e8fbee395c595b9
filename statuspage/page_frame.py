"""The frame every public page shares, the status page's and the subscription pages' alike:
the context that its base template (statuspage/base.html) needs, and the 404 page in that look.

The public site and notify both import it, so it imports neither of them.
"""

from datetime import datetime

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


def page_not_found(request: HttpRequest, page: PageSettings) -> HttpResponse:
    """A 404 page in the page's own look and language (public_response serves it as is: only
    200s are cached)."""
    context = public_context(request, page, section="")
    return render(request, "statuspage/not_found.html", context, status=404)
