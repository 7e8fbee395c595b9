"""What every public page shares: the page settings, its time zone, the language and its switcher,
and the roll-up banner's wording."""

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from incidents import selectors
from incidents.models import PageSettings
from incidents.selectors import MAINTENANCE_INDICATOR
from statuspage.public_cache import PUBLIC_LANGUAGES

# The page indicator in words, translatable (selectors.INDICATOR_DESCRIPTIONS holds the English
# wording of the JSON API, which must stay untranslated).
BANNER_TEXT = {
    "none": _("All Systems Operational"),
    "minor": _("Minor Service Outage"),
    "major": _("Partial System Outage"),
    "critical": _("Major System Outage"),
    MAINTENANCE_INDICATOR: _("Service Under Maintenance"),
}
LANGUAGE_NAMES = {"en": "English", "ja": "日本語"}


@dataclass(frozen=True)
class LanguageLink:
    code: str
    name: str
    url: str
    current: bool


def page_zone(page: PageSettings) -> zoneinfo.ZoneInfo:
    """The page's time zone from a settings row already read (selectors.page_time_zone reads it
    again); UTC when it names none we know."""
    try:
        return zoneinfo.ZoneInfo(page.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("Etc/UTC")


def day_start(day: date, tz: zoneinfo.ZoneInfo) -> datetime:
    """Midnight opening `day` in `tz` (aware)."""
    return datetime.combine(day, time.min, tzinfo=tz)


def utc_offset(moment: datetime) -> str:
    """The offset of an aware moment as UTC±hh:mm (UTC+09:00 in Tokyo)."""
    raw = moment.strftime("%z")
    return f"UTC{raw[:3]}:{raw[3:]}" if raw else "UTC"


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


def explicit_language(request: HttpRequest) -> str:
    """The language asked for with ?lang= (carried on to internal links), or ''."""
    asked = request.GET.get("lang", "")
    return asked if asked in PUBLIC_LANGUAGES else ""


def language_links(request: HttpRequest, language: str) -> list[LanguageLink]:
    """A link per language to this same page, its other query parameters kept."""
    links = []
    for code in PUBLIC_LANGUAGES:
        query = request.GET.copy()
        query["lang"] = code
        links.append(
            LanguageLink(
                code=code,
                name=LANGUAGE_NAMES.get(code, code),
                url=f"{request.path}?{query.urlencode()}",
                current=code == language,
            )
        )
    return links


def with_language(url: str, request: HttpRequest) -> str:
    """`url` with ?lang= added when the visitor chose the language by query."""
    language = explicit_language(request)
    if not language:
        return url
    return f"{url}{'&' if '?' in url else '?'}{urlencode({'lang': language})}"


def public_context(request: HttpRequest, page: PageSettings, **extra) -> dict:
    """The context of every public page, plus `extra`."""
    language = get_language() or "en"
    tz = page_zone(page)
    now = timezone.now().astimezone(tz)
    return {
        "page": page,
        "page_name": selectors.localized(page, "name", language),
        "tz": tz,
        "language": language,
        "language_links": language_links(request, language),
        "subscribe_url": with_language("/subscribe", request),
        "zone_description": f"{tz.key} ({utc_offset(now)})",
        "now": now,
        "today": now.date(),
        **extra,
    }


def month_shift(first: date, months: int) -> date:
    """The first day of the month `months` after (or before, when negative) `first`'s month."""
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def days_back(today: date, count: int) -> list[date]:
    """`count` days ending with `today`, newest first."""
    return [today - timedelta(days=n) for n in range(count)]
