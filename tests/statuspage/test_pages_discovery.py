"""Feed auto-discovery: every public page names its Atom and RSS history feeds and the
maintenance calendar in its <head>, in the page's language, so that a feed reader or a
browser extension pointed at any page finds them."""

import pytest

from incidents import services
from tests.statuspage.page_data import component, tokyo_page
from tests.statuspage.page_html import parse

pytestmark = pytest.mark.django_db

FEEDS = {
    "application/atom+xml": ("/history.atom", "Hoshizora Cloud incident history (Atom)"),
    "application/rss+xml": ("/history.rss", "Hoshizora Cloud incident history (RSS)"),
    "text/calendar": ("/maintenance.ics", "Hoshizora Cloud maintenance calendar"),
}


@pytest.fixture
def pages(db):
    tokyo_page()
    api = component("API")
    incident = services.declare_incident(
        name="Login errors", body="Looking.", component_statuses={api: "major_outage"}
    )
    return [
        "/",
        "/history",
        "/maintenance",
        "/uptime",
        f"/uptime/{api.public_id}",
        f"/incidents/{incident.public_id}",
        "/subscribe",
    ]


def feed_links(document) -> dict[str, tuple[str, str]]:
    return {
        link.attrs["type"]: (link.attrs["href"], link.attrs["title"])
        for link in document.find("head").find_all("link", rel="alternate")
        if "type" in link.attrs
    }


def test_every_public_page_names_its_feeds_and_calendar(client, pages):
    for path in pages:
        assert feed_links(parse(client.get(path).content)) == FEEDS, path


def test_a_japanese_page_names_the_japanese_feeds(client, pages):
    for path in pages:
        links = feed_links(parse(client.get(path, headers={"Accept-Language": "ja"}).content))
        assert [href for href, _ in links.values()] == [
            "/history.atom?lang=ja",
            "/history.rss?lang=ja",
            "/maintenance.ics?lang=ja",
        ], path
        assert all(title.startswith("ホシゾラクラウド ") for _, title in links.values()), path


def test_the_named_feeds_answer(client, pages):
    for kind, (href, _) in FEEDS.items():
        response = client.get(href)
        assert response.status_code == 200
        assert response["Content-Type"] == f"{kind}; charset=utf-8"
