"""The ways to follow the page that need no sign-up, offered on the page-wide subscribe form
beside the channels, as Statuspage's subscribe menu offers them: the history feeds (Atom and
RSS) and the maintenance calendar. Each is a pane of addresses, no form.

Their addresses are the public site's (statuspage.feeds), reversed by name: notify imports
nothing of the public site. They are absolute, to be pasted into a reader or a calendar, and
in the visitor's language (statuspage.languages.in_language: the reader sends no
Accept-Language of the visitor's).
"""

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from statuspage.languages import in_language

FEEDS = "feeds"
CALENDAR = "calendar"
# The panes in the order the page lists them, after the channels.
PANE_LABELS = {FEEDS: _("Atom/RSS"), CALENDAR: _("Calendar")}


@dataclass(frozen=True)
class FeedAddresses:
    atom: str
    rss: str
    calendar: str

    @property
    def webcal(self) -> str:
        """The calendar's address as calendar apps subscribe to it on a click."""
        return "webcal://" + self.calendar.split("://", 1)[1]


def feed_addresses(request: HttpRequest) -> FeedAddresses:
    """The absolute addresses of the feeds and the calendar, in the active language."""
    language = get_language()

    def address(name: str) -> str:
        return request.build_absolute_uri(in_language(reverse(name), language))

    return FeedAddresses(
        atom=address("feeds:history-atom"),
        rss=address("feeds:history-rss"),
        calendar=address("feeds:maintenance-ics"),
    )
