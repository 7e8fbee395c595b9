"""`/maintenance.ics`: scheduled maintenance as an RFC 5545 calendar to subscribe to.

One VEVENT per window: upcoming, in progress or verifying, and those completed in the last
COMPLETED_DAYS days. The event of a window keeps its UID (`{public_id}@{host}`) for life, and
its SEQUENCE is the whole number of seconds between the maintenance's created_at and its
updated_at. Every write of a maintenance (a new update, a moved window, an auto start or end)
sets updated_at to now, so SEQUENCE grows with every revision and calendar clients replace
their copy; nothing new is stored for it.
"""

from datetime import UTC, datetime, timedelta
from html import unescape

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import get_language
from icalendar import Calendar, Event, vText, vUri

from incidents import selectors
from incidents.models import Incident
from incidents.rendering import render_markdown
from statuspage.feeds.address import PageAddress, page_address
from statuspage.feeds.xml_text import xml_safe
from statuspage.public_cache import public_response

COMPLETED_DAYS = 90
# How often subscribed clients should fetch again (RFC 7986 REFRESH-INTERVAL, and the
# X-PUBLISHED-TTL that Outlook and older clients read).
REFRESH = timedelta(minutes=15)
REFRESH_TEXT = "PT15M"
PRODUCT_ID = "-//Noroshi//Maintenance calendar//EN"
CONTENT_TYPE = "text/calendar; charset=utf-8"


def sequence(maintenance: Incident) -> int:
    """The revision number of the event: seconds from created_at to updated_at (see above)."""
    return max(0, int((maintenance.updated_at - maintenance.created_at).total_seconds()))


def window_in_utc(maintenance: Incident) -> tuple[datetime, datetime]:
    start, end = maintenance.scheduled_for, maintenance.scheduled_until
    # The maintenance_has_window constraint keeps both ends set on every maintenance row.
    assert start is not None and end is not None
    return start.astimezone(UTC), end.astimezone(UTC)


def plain_text(markdown: str) -> str:
    """A Markdown body as plain text: rendered and sanitised first, then stripped of tags."""
    return unescape(strip_tags(str(render_markdown(markdown)))).strip()


def description(maintenance: Incident, link: str, language: str | None) -> str:
    latest = next(iter(maintenance.updates.all()), None)  # prefetched newest first
    body = plain_text(selectors.localized(latest, "body", language)) if latest else ""
    return xml_safe(f"{body}\n\n{link}" if body else link)


def maintenance_event(
    maintenance: Incident, *, address: PageAddress, language: str | None
) -> Event:
    """The VEVENT of one maintenance window, times in UTC."""
    link = address.incident_url(maintenance.public_id)
    event = Event()
    event.add("uid", f"{maintenance.public_id}@{address.host}")
    event.add("dtstamp", maintenance.updated_at.astimezone(UTC))
    event.add("last-modified", maintenance.updated_at.astimezone(UTC))
    event.add("created", maintenance.created_at.astimezone(UTC))
    event.add("sequence", sequence(maintenance))
    start, end = window_in_utc(maintenance)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", xml_safe(selectors.localized(maintenance, "name", language)))
    event.add("description", description(maintenance, link, language))
    event.add("url", vUri(link))
    event.add("status", "CONFIRMED")
    # Maintenance is news, not a meeting: it must not mark the subscriber busy.
    event.add("transp", "TRANSPARENT")
    return event


def maintenance_calendar(*, now: datetime, language: str | None) -> Calendar:
    """The whole calendar: its name, refresh hints, and one event per window."""
    page = selectors.page_settings()
    address = page_address(page)
    name = xml_safe(selectors.localized(page, "name", language))
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("name", vText(f"{name} - Scheduled maintenance"))
    calendar.add("x-wr-calname", vText(f"{name} - Scheduled maintenance"))
    calendar.add("x-wr-caldesc", vText(f"Scheduled maintenance of {name}: {address.base}"))
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", REFRESH_TEXT)
    calendar.add("source", vUri(address.url("maintenance.ics")), parameters={"VALUE": "URI"})
    calendar.add("url", vUri(address.base))
    ended_since = now - timedelta(days=COMPLETED_DAYS)
    for maintenance in selectors.calendar_maintenances(ended_since=ended_since):
        calendar.add_component(maintenance_event(maintenance, address=address, language=language))
    return calendar


@public_response(cors=True)
def maintenance_ics(request: HttpRequest) -> HttpResponse:
    """The maintenance calendar (text/calendar), for calendar apps to subscribe to."""
    calendar = maintenance_calendar(now=timezone.now(), language=get_language())
    return HttpResponse(calendar.to_ical(), content_type=CONTENT_TYPE)
