"""Where the page lives, as the feeds name it: its base URL and its host, from PageSettings.url.

Feed ids, entry links, calendar UIDs and badge links are built from the page's configured
address rather than from the request, so that they stay the same whichever host name, proxy or
CDN a reader came through.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from incidents.models import PageSettings


@dataclass(frozen=True)
class PageAddress:
    base: str  # e.g. "https://status.example.com", never with a trailing slash
    host: str  # e.g. "status.example.com": no port, lower case

    def incident_url(self, public_id: str) -> str:
        return f"{self.base}/incidents/{public_id}"

    def url(self, path: str) -> str:
        return f"{self.base}/{path.lstrip('/')}"


def page_address(page: PageSettings) -> PageAddress:
    """The base URL and host of the page, from its settings row."""
    base = (page.url or "").strip().rstrip("/")
    return PageAddress(base=base, host=(urlsplit(base).hostname or "localhost").lower())
