"""The incident page: facts, the full timeline newest first, maintenance windows, 404s, and
Markdown that can never carry script."""

import pytest
import time_machine

from incidents import services
from tests.factories import ComponentGroupFactory
from tests.statuspage.page_data import NOW, component, past_incident, tokyo, tokyo_page
from tests.statuspage.page_html import parse

pytestmark = pytest.mark.django_db


@pytest.fixture
def page():
    with time_machine.travel(NOW, tick=False):
        tokyo_page()
        yield


def facts(document):
    terms = document.find("dl", cls="facts")
    return dict(
        zip(
            [t.text() for t in terms.find_all("dt")],
            [d.text() for d in terms.find_all("dd")],
            strict=True,
        )
    )


def test_incident_page_shows_facts_and_the_timeline_newest_first(client, page):
    platform = ComponentGroupFactory(name="Platform", position=1)
    api = component("API", group=platform)
    web = component("Web")
    incident = past_incident(
        "Login errors", {api: "major_outage", web: "partial_outage"}, tokyo(3, 6, 10), 60
    )

    response = client.get(f"/incidents/{incident.public_id}")

    assert response.status_code == 200
    document = parse(response.content)
    assert document.find("h1").text() == "Login errors"
    assert document.find("title").text() == "Login errors · Hoshizora Cloud"
    assert facts(document) == {
        "Status": "Resolved",
        "Impact": "Major",
        "Started": "2026-03-06 10:00 JST",
        "Resolved": "2026-03-06 11:00 JST",
        "Affected components": "Platform › API Web",
    }
    timeline = [
        (item.find("h3").text(), item.find("time").text(), item.find("div", cls="body").text())
        for item in document.find("ol", cls="timeline").find_all("article")
    ]
    assert timeline == [
        ("Resolved", "2026-03-06 11:00 JST", "This is resolved."),
        ("Identified", "2026-03-06 10:30 JST", "We found the cause."),
        ("Investigating", "2026-03-06 10:00 JST", "We are investigating."),
    ]
    changes = document.find("ol", cls="timeline").find_all("ul", cls="changes")
    assert [c.text() for c in changes] == [
        "Platform › API: Major outage → Operational Web: Partial outage → Operational",
        "Platform › API: Operational → Major outage Web: Operational → Partial outage",
    ]


def test_maintenance_page_shows_its_window(client, page):
    sms = component("SMS")
    window = services.schedule_maintenance(
        name="Gateway move",
        body="We move the gateway.",
        scheduled_for=tokyo(3, 12, 1),
        scheduled_until=tokyo(3, 12, 3, 30),
        components=[sms],
    )

    document = parse(client.get(f"/incidents/{window.public_id}").content)

    assert document.find_all("p", cls="meta")[0].text() == "Scheduled maintenance"
    assert facts(document) == {
        "Status": "Scheduled",
        "Scheduled for": "2026-03-12 01:00 JST – 2026-03-12 03:30 JST",
        "Affected components": "SMS",
    }
    assert document.find("a", **{"aria-current": "page"}).text() == "Maintenance"
    link = document.find("p", cls="subscribe-link").find("a")
    assert (link.text(), link.attrs["href"]) == (
        "Subscribe to this maintenance",
        f"/incidents/{window.public_id}/subscribe",
    )


def test_unknown_incident_is_a_404_with_the_page_look(client, page):
    response = client.get("/incidents/nosuchid1234")

    assert response.status_code == 404
    assert response["Content-Type"] == "text/html; charset=utf-8"
    document = parse(response.content)
    assert document.find("h1").text() == "Page not found"
    assert client.get("/incidents/nosuchid1234").status_code == 404


def test_malicious_markdown_is_rendered_inert(client, page):
    api = component("API")
    body = (
        "<script>alert('s')</script>\n\n"
        '<img src="x" onerror="alert(1)">\n\n'
        "[click me](javascript:alert(2))\n\n"
        '<a href="javascript:alert(3)" onclick="alert(4)">link</a>\n\n'
        '<iframe src="https://evil.example/"></iframe><style>body{display:none}</style>\n\n'
        "**still bold**"
    )
    incident = services.declare_incident(
        name="Hostile", body=body, component_statuses={api: "major_outage"}
    )

    html = client.get(f"/incidents/{incident.public_id}").content.decode()

    lowered = html.lower()
    # Only the page's own: its script, and the live page's configuration (JSON, which no
    # browser runs).
    assert lowered.count("<script") == 2
    assert '<script src="/static/statuspage/page.js" defer></script>' in html
    assert '<script id="live-config" type="application/json">' in html
    for needle in ("alert(", "onerror", "onclick", "javascript:", "<iframe", "<style", "<img"):
        assert needle not in lowered
    assert "<strong>still bold</strong>" in html
    assert parse(html).find("h1").text() == "Hostile"


def test_incident_name_is_escaped(client, page):
    api = component("API")
    incident = services.declare_incident(
        name="<b>Bold</b> & co", body="Hi.", component_statuses={api: "major_outage"}
    )

    html = client.get(f"/incidents/{incident.public_id}").content.decode()

    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in html
    assert "<b>Bold</b>" not in html
