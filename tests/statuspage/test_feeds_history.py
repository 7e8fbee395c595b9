"""/history.atom and /history.rss: Statuspage's feed shapes, exact ids, links, order and HTML,
sanitised bodies, and a fixed number of queries."""

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import feedparser
import pytest
import time_machine

from incidents import services
from statuspage.feeds.history_html import window_html

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 7, 1, 5, tzinfo=UTC)  # 10:05 in Tokyo
ATOM = {"a": "http://www.w3.org/2005/Atom"}
PAGE = "https://status.acme.example"
TAG = "tag:status.acme.example,2005"


@pytest.fixture
def page(db):
    return services.edit_page_settings(
        name="Acme", name_ja="アクメ", url=f"{PAGE}/", time_zone="Asia/Tokyo"
    )


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def outage(page, clock, components):
    """An incident through every status, with "identified" posted twice, 15 minutes apart."""
    incident = services.declare_incident(
        name="Elevated API errors",
        body="We are **investigating** errors on the API.",
        component_statuses={components["API"]: "major_outage"},
    )
    for status, body in (
        ("identified", "A bad deploy."),
        ("identified", "Rolling back."),
        ("monitoring", "Error rates are back to normal."),
        ("resolved", "This incident has been resolved."),
    ):
        clock.shift(timedelta(minutes=15))
        services.post_update(incident=incident, status=status, body=body)
    return incident


@pytest.fixture
def upgrade(page, clock, components):
    """A maintenance on Mar 10, 02:00-04:00 in Tokyo, scheduled at T0 + 1 hour."""
    clock.move_to(T0 + timedelta(hours=1))
    return services.schedule_maintenance(
        name="Database upgrade",
        body="We will upgrade the primary database.",
        scheduled_for=datetime(2026, 3, 9, 17, 0, tzinfo=UTC),
        scheduled_until=datetime(2026, 3, 9, 19, 0, tzinfo=UTC),
        components=[components["Database"]],
    )


@pytest.fixture
def old_incident(page, clock):
    return services.declare_incident(
        name="Slow dashboard",
        body="The dashboard is slow.",
        started_at=datetime(2026, 3, 1, 3, 0, tzinfo=UTC),
        backfilled=True,
    )


def paragraph(day: int, time: str, label: str, body: str) -> str:
    return (
        f"<p><small>Mar <var data-var='date'>{day}</var>, <var data-var='time'>{time}</var> JST"
        f"</small><br><strong>{label}</strong> - {body}</p>"
    )


def atom_entries(client, path="/history.atom") -> list[ET.Element]:
    """The raw <entry> elements (feedparser sanitises HTML itself, so it would hide ours)."""
    return ET.fromstring(client.get(path).content).findall("a:entry", ATOM)


def atom_content(client, path="/history.atom") -> list[str]:
    return [entry.find("a:content", ATOM).text for entry in atom_entries(client, path)]


def test_atom_feed_has_statuspage_ids_titles_and_links(client, outage, upgrade, old_incident):
    response = client.get("/history.atom")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0
    assert feed.version == "atom10"
    assert feed.feed.id == f"{TAG}:/history"
    assert feed.feed.title == "Acme Status - Incident History"
    assert [(link.rel, link.type, link.href) for link in feed.feed.links] == [
        ("alternate", "text/html", PAGE),
        ("self", "application/atom+xml", f"{PAGE}/history.atom"),
    ]
    assert feed.feed.updated == "2026-03-07T11:05:00+09:00"
    assert [(e.id, e.title, e.link) for e in feed.entries] == [
        (f"{TAG}:Incident/{i.public_id}", i.name, f"{PAGE}/incidents/{i.public_id}")
        for i in (upgrade, outage, old_incident)
    ]
    assert (feed.entries[1].published, feed.entries[1].updated) == (
        "2026-03-07T10:05:00+09:00",
        "2026-03-07T11:05:00+09:00",
    )


def test_entry_html_has_one_paragraph_per_update_newest_first(client, outage):
    assert atom_content(client) == [
        paragraph(7, "11:05", "Resolved", "This incident has been resolved.")
        + paragraph(7, "10:50", "Monitoring", "Error rates are back to normal.")
        + paragraph(7, "10:35", "Update", "Rolling back.")
        + paragraph(7, "10:20", "Identified", "A bad deploy.")
        + paragraph(
            7, "10:05", "Investigating", "We are <strong>investigating</strong> errors on the API."
        )
    ]


def test_maintenance_entry_opens_with_its_window(client, upgrade, clock):
    clock.move_to(datetime(2026, 3, 9, 17, 0, tzinfo=UTC))
    services.start_maintenance(maintenance=upgrade, body="Started.")
    services.post_maintenance_update(maintenance=upgrade, status="verifying", body="Checking.")
    clock.shift(timedelta(minutes=10))
    services.complete_maintenance(maintenance=upgrade, body="Done.")
    [content] = atom_content(client)
    assert content == (
        "<p><strong>THIS IS A SCHEDULED EVENT Mar <var data-var='date'>10</var>, "
        "<var data-var='time'>02:00</var> - <var data-var='time'>04:00</var> JST</strong></p>"
        + paragraph(10, "02:10", "Completed", "Done.")
        + paragraph(10, "02:00", "Verifying", "Checking.")
        + paragraph(10, "02:00", "In progress", "Started.")
        + paragraph(7, "11:05", "Scheduled", "We will upgrade the primary database.")
    )
    text = re.sub(r"<[^>]+>", "", content)
    assert text.startswith("THIS IS A SCHEDULED EVENT Mar 10, 02:00 - 04:00 JST")


def test_a_window_over_midnight_or_a_clock_change_names_both_ends():
    def text(start, end, zone):
        return re.sub(r"<[^>]+>", "", window_html(start.astimezone(zone), end.astimezone(zone)))

    tokyo, new_york = ZoneInfo("Asia/Tokyo"), ZoneInfo("America/New_York")
    overnight = (
        datetime(2026, 11, 25, 13, 0, tzinfo=UTC),
        datetime(2026, 11, 25, 19, 0, tzinfo=UTC),
    )
    assert text(*overnight, tokyo) == "Nov 25, 22:00 - Nov 26, 04:00 JST"
    clock_change = (datetime(2026, 3, 8, 6, 30, tzinfo=UTC), datetime(2026, 3, 8, 8, 0, tzinfo=UTC))
    assert text(*clock_change, new_york) == "Mar 8, 01:30 EST - 04:00 EDT"


def test_a_body_beyond_one_paragraph_keeps_its_blocks_after_the_update_paragraph(
    client, page, clock
):
    services.declare_incident(name="Slow", body="First.\n\nSecond.\n\n- one\n- two\n\nAfter.")
    assert atom_content(client) == [
        paragraph(7, "10:05", "Investigating", "First.<br><br>Second.")
        + "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n<p>After.</p>"
    ]


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        "<svg onload=alert(1)>",
        "<p>x</p><script>alert(1)</script>",
    ],
)
def test_hostile_markdown_is_inert_in_both_feeds(client, page, clock, body):
    services.declare_incident(name="<script>alert('name')</script>", body=body)
    rss_item = ET.fromstring(client.get("/history.rss").content).find("channel/item")
    for html in (*atom_content(client), rss_item.find("description").text):
        lowered = html.lower()
        assert "<script" not in lowered
        assert "onerror" not in lowered
        assert "onload" not in lowered
        assert "javascript:" not in lowered
        assert "<svg" not in lowered and "<img" not in lowered
    [entry] = atom_entries(client)
    assert entry.find("a:title", ATOM).text == "<script>alert('name')</script>"  # as text


def test_control_characters_do_not_break_the_feed(client, page, clock):
    # A vertical tab would be a line break, which incidents.one_line makes a space; a bell is
    # a control character the feed itself must leave out.
    services.declare_incident(name="Bad\x07name", body="Pasted\x1b[31m from a terminal")
    feed = feedparser.parse(client.get("/history.atom").content)
    assert feed.bozo == 0
    assert feed.entries[0].title == "Badname"


def test_rss_feed_has_the_same_items_with_rfc_822_dates(client, outage, upgrade, old_incident):
    response = client.get("/history.rss")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/rss+xml; charset=utf-8"
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0
    assert feed.version == "rss20"
    assert feed.feed.title == "Acme Status - Incident History"
    assert feed.feed.link == PAGE
    assert [(e.title, e.link, e.id) for e in feed.entries] == [
        (i.name, f"{PAGE}/incidents/{i.public_id}", f"{PAGE}/incidents/{i.public_id}")
        for i in (upgrade, outage, old_incident)
    ]
    channel = ET.fromstring(response.content).find("channel")
    items = channel.findall("item")
    assert [item.find("pubDate").text for item in items] == [
        "Sat, 07 Mar 2026 11:05:00 +0900",
        "Sat, 07 Mar 2026 10:05:00 +0900",
        "Sun, 01 Mar 2026 12:00:00 +0900",
    ]
    assert channel.find("pubDate").text == "Sat, 07 Mar 2026 11:05:00 +0900"
    assert [item.find("description").text for item in items] == atom_content(client)
    assert [item.find("guid").attrib for item in items] == [{}, {}, {}]  # a permalink


def test_feeds_carry_at_most_25_entries_newest_first(client, page, clock):
    for day in range(1, 31):
        clock.move_to(datetime(2026, 3, day, 1, 0, tzinfo=UTC))
        services.declare_incident(name=f"Incident {day}", body="Investigating.")
    for path in ("/history.atom", "/history.rss"):
        feed = feedparser.parse(client.get(path).content)
        assert [e.title for e in feed.entries] == [f"Incident {d}" for d in range(30, 5, -1)]


def test_an_empty_page_gives_a_valid_empty_feed(client, page):
    for path in ("/history.atom", "/history.rss"):
        feed = feedparser.parse(client.get(path).content)
        assert feed.bozo == 0
        assert feed.entries == []
        assert feed.feed.title == "Acme Status - Incident History"


def test_japanese_readers_get_the_japanese_text_in_statuspage_form(client, page, clock):
    services.declare_incident(
        name="API errors", name_ja="APIエラー", body="Looking.", body_ja="調査中"
    )
    response = client.get("/history.atom", headers={"Accept-Language": "ja"})
    root = ET.fromstring(response.content)
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "ja"
    assert root.find("a:title", ATOM).text == "アクメ Status - Incident History"
    [entry] = root.findall("a:entry", ATOM)
    assert entry.find("a:title", ATOM).text == "APIエラー"
    assert entry.find("a:content", ATOM).text == paragraph(7, "10:05", "Investigating", "調査中")


@pytest.mark.django_db(transaction=True)
def test_a_committed_update_shows_in_the_feed_at_once(client):
    services.edit_page_settings(name="Acme", url=PAGE)
    incident = services.declare_incident(name="Elevated API errors", body="Investigating.")
    before = feedparser.parse(client.get("/history.atom").content)
    services.post_update(incident=incident, status="identified", body="Found the cause.")
    after = feedparser.parse(client.get("/history.atom").content)
    assert "Found the cause." not in before.entries[0].content[0].value
    assert "<strong>Identified</strong> - Found the cause." in after.entries[0].content[0].value


# page settings, the time zone's page settings, incidents, then the prefetched components,
# updates and their component changes.
RENDER_QUERIES = 6


@pytest.mark.parametrize("incidents", [2, 10])
def test_rendering_the_feed_takes_a_fixed_number_of_queries(
    client, page, clock, components, incidents, django_assert_num_queries
):
    for n in range(incidents):
        clock.shift(timedelta(minutes=5))
        incident = services.declare_incident(
            name=f"Incident {n}",
            body="Investigating.",
            component_statuses={components["API"]: "partial_outage"},
        )
        services.resolve_incident(incident=incident, body="Resolved.")
    with django_assert_num_queries(RENDER_QUERIES):
        response = client.get("/history.atom")
    assert len(feedparser.parse(response.content).entries) == incidents
