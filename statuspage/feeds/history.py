"""`/history.atom` and `/history.rss`: the most recent incidents and maintenance as a feed.

The shapes are Atlassian Statuspage's (docs/reference/statuspage-v2.md, "History feeds"): feed
id `tag:{host},2005:/history`, entry ids `tag:{host},2005:Incident/{id}`, links to
`{page}/incidents/{id}`, and the HTML of statuspage.feeds.history_html. Times are in the page's
time zone. Both views are cached whole by @public_response.
"""

from dataclasses import dataclass
from datetime import datetime, tzinfo

from django.http import HttpRequest, HttpResponse
from django.utils.feedgenerator import (
    Atom1Feed,
    Rss201rev2Feed,
    rfc2822_date,
    rfc3339_date,
)
from django.utils.translation import get_language

from incidents import selectors
from incidents.models import Incident, PostMortem
from statuspage.feeds.address import PageAddress, page_address
from statuspage.feeds.history_html import entry_html
from statuspage.feeds.xml_text import xml_safe
from statuspage.public_cache import public_response

# How many incidents and maintenance the feeds carry, newest first.
FEED_LENGTH = 25


@dataclass(frozen=True)
class HistoryEntry:
    public_id: str
    title: str
    link: str
    published: datetime
    updated: datetime
    html: str


@dataclass(frozen=True)
class History:
    name: str
    address: PageAddress
    language: str
    updated: datetime
    entries: list[HistoryEntry]

    @property
    def title(self) -> str:
        return f"{self.name} Status - Incident History"


def feed_time(moment: datetime, zone: tzinfo) -> datetime:
    return moment.astimezone(zone).replace(microsecond=0)


def history_entry(
    incident: Incident, *, address: PageAddress, zone: tzinfo, language: str
) -> HistoryEntry:
    """One feed entry: published when first announced, updated at its latest update, the
    latest correction of an update's text, or the publication of its post-mortem."""
    updates = list(incident.updates.all())
    shown_at = [update.display_at for update in updates]
    edited_at = [update.edited_at for update in updates if update.edited_at]
    postmortem = published_postmortem_of(incident)
    if postmortem is not None and postmortem.published_at:
        shown_at.append(postmortem.published_at)
    page = address.url(f"incidents/{incident.public_id}/postmortem")
    return HistoryEntry(
        public_id=incident.public_id,
        title=xml_safe(selectors.localized(incident, "name", language)),
        link=address.incident_url(incident.public_id),
        published=feed_time(min(shown_at, default=incident.started_at), zone),
        updated=feed_time(max(shown_at + edited_at, default=incident.updated_at), zone),
        html=xml_safe(
            entry_html(
                incident, updates, zone, language, (postmortem, page) if postmortem else None
            )
        ),
    )


def published_postmortem_of(incident: Incident) -> PostMortem | None:
    """The incident's post-mortem when published (read with the incident: no query)."""
    postmortem = getattr(incident, "postmortem", None)
    return postmortem if postmortem is not None and postmortem.is_published else None


def page_history(language: str) -> History:
    """The page's name, address and its FEED_LENGTH most recent entries, in `language`."""
    page = selectors.page_settings()
    zone = selectors.page_time_zone()
    address = page_address(page)
    entries = [
        history_entry(incident, address=address, zone=zone, language=language)
        for incident in selectors.recent_history(limit=FEED_LENGTH)
    ]
    return History(
        name=xml_safe(selectors.localized(page, "name", language)),
        address=address,
        language=language,
        updated=max((e.updated for e in entries), default=feed_time(page.updated_at, zone)),
        entries=entries,
    )


class HistoryAtomFeed(Atom1Feed):
    """Atom 1.0 with Statuspage's elements: typed links and the entry HTML in <content>."""

    def latest_post_date(self) -> datetime:
        return self.feed["updated"]

    def add_root_elements(self, handler) -> None:
        handler.addQuickElement("id", self.feed["id"])
        link = {"rel": "alternate", "type": "text/html", "href": self.feed["link"]}
        handler.addQuickElement("link", "", link)
        link = {"rel": "self", "type": self.mime_type, "href": self.feed["feed_url"]}
        handler.addQuickElement("link", "", link)
        handler.addQuickElement("title", self.feed["title"])
        handler.addQuickElement("updated", rfc3339_date(self.latest_post_date()))
        handler.startElement("author", {})
        handler.addQuickElement("name", self.feed["author_name"])
        handler.endElement("author")

    def add_item_elements(self, handler, item) -> None:
        handler.addQuickElement("id", item["unique_id"])
        handler.addQuickElement("published", rfc3339_date(item["pubdate"]))
        handler.addQuickElement("updated", rfc3339_date(item["updateddate"]))
        link = {"rel": "alternate", "type": "text/html", "href": item["link"]}
        handler.addQuickElement("link", "", link)
        handler.addQuickElement("title", item["title"])
        handler.addQuickElement("content", item["content"], {"type": "html"})

    @property
    def mime_type(self) -> str:
        return self.content_type.split(";")[0]


class HistoryRssFeed(Rss201rev2Feed):
    """RSS 2.0; the channel also carries Statuspage's <pubDate> beside <lastBuildDate>."""

    def latest_post_date(self) -> datetime:
        return self.feed["updated"]

    def add_root_elements(self, handler) -> None:
        super().add_root_elements(handler)
        handler.addQuickElement("pubDate", rfc2822_date(self.latest_post_date()))

    def add_item_elements(self, handler, item) -> None:
        # Statuspage's RSS guid is the incident's address, not the Atom tag id.
        super().add_item_elements(handler, {**item, "unique_id": item["link"]})


HistoryFeed = HistoryAtomFeed | HistoryRssFeed


def history_feed(feed_class: type[HistoryFeed], history: History, path: str) -> HistoryFeed:
    """The feed object for `history`, served at `path` of the page."""
    tag = f"tag:{history.address.host},2005"
    feed = feed_class(
        title=history.title,
        link=history.address.base,
        description=f"Incident and maintenance history of {history.name}",
        feed_url=history.address.url(path),
        language=history.language,
        author_name=history.name,
        id=f"{tag}:/history",
        updated=history.updated,
    )
    for entry in history.entries:
        feed.add_item(
            title=entry.title,
            link=entry.link,
            description=entry.html,
            content=entry.html,
            unique_id=f"{tag}:Incident/{entry.public_id}",
            pubdate=entry.published,
            updateddate=entry.updated,
        )
    return feed


def feed_response(feed: HistoryFeed) -> HttpResponse:
    response = HttpResponse(content_type=feed.content_type)
    feed.write(response, "utf-8")
    return response


@public_response(cors=True)
def history_atom(request: HttpRequest) -> HttpResponse:
    """The history as Atom 1.0 (application/atom+xml)."""
    history = page_history(get_language())
    return feed_response(history_feed(HistoryAtomFeed, history, "history.atom"))


@public_response(cors=True)
def history_rss(request: HttpRequest) -> HttpResponse:
    """The history as RSS 2.0 (application/rss+xml)."""
    history = page_history(get_language())
    return feed_response(history_feed(HistoryRssFeed, history, "history.rss"))
