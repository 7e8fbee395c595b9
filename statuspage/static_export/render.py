"""Render the public page for an export: every address goes through Django's own request
handling (its test client: the real URL map, middleware and views, the same cache), so an
exported file holds exactly the bytes the live site serves, save for the links in its HTML.

Starting from the pages every language has (the overview, history, maintenance, uptime, the
feeds, the eight /api/v2 documents, the page badge), each HTML page's links are followed: what
the site links to is what gets exported (incident pages, post-mortems, history pages, days,
components, months), and each link is rewritten to the relative path of its file.
"""

import json
import re
from collections import deque
from collections.abc import Iterator
from html import escape, unescape
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils.html import json_script

from statuspage.languages import PUBLIC_LANGUAGES
from statuspage.static_export.feed_links import (
    FEED_SUFFIXES,
    page_base,
    with_moved_calendar_links,
    with_moved_links,
)
from statuspage.static_export.paths import PublicAddress, relative_link

# The URL namespaces whose answers are the same for every visitor, and so can be files.
EXPORTED_NAMESPACES = frozenset({"public", "feeds", "api_v2"})
API_V2_DOCUMENTS = (
    "summary.json",
    "status.json",
    "components.json",
    "incidents.json",
    "incidents/unresolved.json",
    "scheduled-maintenances.json",
    "scheduled-maintenances/upcoming.json",
    "scheduled-maintenances/active.json",
)
START_PATHS = (
    "/",
    "/history",
    "/maintenance",
    "/uptime",
    "/history.atom",
    "/history.rss",
    "/maintenance.ics",
    "/badge.svg",
    *(f"/api/v2/{name}" for name in API_V2_DOCUMENTS),
)
LINK = re.compile(r'(\s(href|src|action)=")([^"]*)(")')
# The live page's configuration (statuspage.views.live): the summary it reads and the renderer
# it loads are addresses too, in JSON.
LIVE_CONFIG = re.compile(r'<script id="live-config" type="application/json">(.*?)</script>', re.S)
LIVE_ADDRESSES = ("summary", "renderer")


class ExportError(Exception):
    """The page could not be exported (an address answered with an error, a folder in the
    way); the folder in place was left as it was."""


class PageRenderer:
    """Walks the public page from START_PATHS in every language, yielding (file, bytes).

    HTML pages are held until the walk ends: only then is it known which of their links have
    a file (relative link) and which only the live site can answer (absolute link to it)."""

    def __init__(self, *, base_url: str = "") -> None:
        site = urlsplit(settings.SITE_URL)
        self.site_url = settings.SITE_URL
        self.base_url = base_url.rstrip("/")
        # No cookies, no Accept-Language: each address says its language with ?lang=.
        self.client = Client(HTTP_HOST=site.netloc, secure=site.scheme == "https")
        self.queue: deque[PublicAddress] = deque()
        self.seen: set[PublicAddress] = set()
        self.assets: set[str] = set()

    def files(self) -> Iterator[tuple[str, bytes]]:
        for language in PUBLIC_LANGUAGES:
            for path in START_PATHS:
                self.follow(PublicAddress(path, (), language))
        pages: list[tuple[PublicAddress, str]] = []
        feeds: list[tuple[PublicAddress, str]] = []
        while self.queue:
            address = self.queue.popleft()
            content, html = self.render(address)
            if html is not None:
                pages.append((address, html))
                self.follow_links(html, address)
            elif self.base_url and address.path.endswith(FEED_SUFFIXES):
                feeds.append((address, content.decode("utf-8")))
            else:
                yield address.file, content
        for address, html in pages:
            yield address.file, self.with_file_links(html, address).encode("utf-8")
        yield from self.feeds_at_base_url(feeds)
        for asset in sorted(self.assets):
            yield f"static/{asset}", asset_bytes(asset)

    def follow(self, address: PublicAddress) -> None:
        if address not in self.seen:
            self.seen.add(address)
            self.queue.append(address)

    def render(self, address: PublicAddress) -> tuple[bytes, str | None]:
        """The answer's bytes, and its text when it is an HTML page."""
        response = self.client.get(address.request_path)
        if response.status_code != 200:
            raise ExportError(f"{address.request_path} answered {response.status_code}")
        content = response.getvalue()
        if response.get("Content-Type", "").startswith("text/html"):
            return content, content.decode(response.charset or "utf-8")
        if address.path == "/api/v2/components.json":
            self.follow_badges(content, address.language)
        return content, None

    def follow_badges(self, components_json: bytes, language: str) -> None:
        """Each component's (and group's) badge, as the page's JSON lists them."""
        for component in json.loads(components_json)["components"]:
            self.follow(PublicAddress(f"/components/{component['id']}/badge.svg", (), language))

    def follow_links(self, html: str, page: PublicAddress) -> None:
        links = [unescape(match.group(3)) for match in LINK.finditer(html) if not is_form(match)]
        for url in [*links, *live_addresses(html).values()]:
            if not is_local(url):
                continue
            parts = urlsplit(url)
            if parts.path.startswith(settings.STATIC_URL):
                self.assets.add(parts.path.removeprefix(settings.STATIC_URL))
                continue
            target = exported_address(parts.path, parts.query, page.language)
            if target is not None and worth_a_file(target, linked_from=page):
                self.follow(target)

    def with_file_links(self, html: str, page: PublicAddress) -> str:
        def replace(match: re.Match) -> str:
            url = unescape(match.group(3))
            new = self.site_url + url if is_form(match) and is_local(url) else self.link(url, page)
            return f"{match.group(1)}{escape(new)}{match.group(4)}"

        def replace_live(match: re.Match) -> str:
            config = json.loads(match.group(1))
            for key in LIVE_ADDRESSES:
                config[key] = self.link(config[key], page)
            return str(json_script(config, "live-config"))

        return LIVE_CONFIG.sub(replace_live, LINK.sub(replace, html))

    def link(self, url: str, page: PublicAddress) -> str:
        """Where `url`, found on `page`, points in the export."""
        if not is_local(url):
            return url  # another site, an e-mail address, a place on this same page
        parts = urlsplit(url)
        if parts.path.startswith(settings.STATIC_URL):
            asset = parts.path.removeprefix(settings.STATIC_URL)
            return relative_link(page.file, f"static/{asset}")
        target = exported_address(parts.path, parts.query, page.language)
        if target is None or target not in self.seen:
            # Only the live site can answer it: subscribing, a day no bar links to.
            return self.site_url + url
        fragment = f"#{parts.fragment}" if parts.fragment else ""
        return relative_link(page.file, target.file) + fragment

    def feeds_at_base_url(
        self, feeds: list[tuple[PublicAddress, str]]
    ) -> Iterator[tuple[str, bytes]]:
        base = page_base()
        for feed, text in feeds:

            def move(path: str, language: str = feed.language) -> str | None:
                target = exported_address(path, "", language)
                if target is None or target not in self.seen:
                    return None
                return f"{self.base_url}/{target.file}"

            moving = with_moved_calendar_links if feed.path.endswith(".ics") else with_moved_links
            yield feed.file, moving(text, base=base, move=move).encode("utf-8")


# The pages whose links lead to the days of a component's history: their uptime bars, which
# link only to days that had incidents. A day page's own "previous day" and "next day" links
# are not followed (they would walk every day since the first), and lead to the live site.
DAY_SOURCES = frozenset({"overview", "uptime", "component_uptime"})


def worth_a_file(target: PublicAddress, *, linked_from: PublicAddress) -> bool:
    """Whether a link from `linked_from` to `target` is followed into the export."""
    if "day" not in dict(target.params):
        return True
    return resolve(linked_from.path).url_name in DAY_SOURCES


def live_addresses(html: str) -> dict[str, str]:
    """The addresses in the live page's configuration, when the page has one."""
    found = LIVE_CONFIG.search(html)
    if found is None:
        return {}
    config = json.loads(found.group(1))
    return {key: config[key] for key in LIVE_ADDRESSES}


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc and parts.path.startswith("/")


def is_form(match: re.Match) -> bool:
    # A form asks the live site (the history's filter): a static folder cannot answer a query.
    return match.group(2) == "action"


def exported_address(path: str, query: str, language: str) -> PublicAddress | None:
    """The exported address of a link to `path?query`, or None when it is not exported."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.namespace not in EXPORTED_NAMESPACES:
        return None
    params = parse_qsl(query, keep_blank_values=True)
    asked = dict(params).get("lang", "")
    language = asked if asked in PUBLIC_LANGUAGES else language
    kept = tuple(sorted((key, value) for key, value in params if key != "lang"))
    return PublicAddress(path, kept, language)


def asset_bytes(asset: str) -> bytes:
    found = finders.find(asset)
    if not found:
        raise ExportError(f"the page links to {settings.STATIC_URL}{asset}, which is not found")
    return Path(str(found)).read_bytes()
