"""Hostile text in every public field, through the machine-read surfaces: the Atom and RSS feeds
(XML, their HTML content inert), the maintenance calendar (no line a payload injected), the SVG
badges, /api/v2 (JSON, never sniffed as HTML), /embed.js (carries no page data) and the static
export, file by file."""

import json
import re
from io import StringIO
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.core.management import call_command
from icalendar import Calendar

from incidents.one_line import one_line
from tests.security.inert import html_findings, xml_findings
from tests.security.payloads import MARK, PAYLOADS, single_line

pytestmark = pytest.mark.django_db

API_V2 = [
    "summary", "status", "components", "incidents", "incidents/unresolved",
    "scheduled-maintenances", "scheduled-maintenances/upcoming", "scheduled-maintenances/active",
]  # fmt: skip
ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = {f"{ATOM}content", f"{ATOM}summary"}


@pytest.fixture
def page(db, hostile):
    return hostile


def feed_findings(document: bytes) -> list[str]:
    """What could run in a feed, or in the HTML that its entries carry as text (an RSS item's
    description, an Atom entry's content or summary of type html; an RSS channel's description
    and every title are text)."""
    root = ElementTree.fromstring(document)
    findings = xml_findings(document)
    html = [e for item in root.iter("item") for e in item.iter("description")]
    html += [e for e in root.iter() if e.tag in CONTENT and e.get("type") == "html"]
    for element in html:
        findings += [f"{element.tag}: {found}" for found in html_findings(element.text or "")]
    return findings


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_feeds_are_xml_whose_html_is_inert(client, page, language):
    for path in ("/history.atom", "/history.rss"):
        response = client.get(path, {"lang": language})
        assert response.status_code == 200
        assert feed_findings(response.content) == [], path
    atom = ElementTree.fromstring(client.get("/history.atom").content)
    assert [e for e in atom.iter() if e.tag in CONTENT and e.get("type") == "html"] != []
    titles = [e.findtext(f"{ATOM}title") for e in atom.iter(f"{ATOM}entry")]
    assert single_line(PAYLOADS["script"]) in " ".join(titles)


def test_the_calendar_has_no_line_a_payload_wrote(client, page):
    response = client.get("/maintenance.ics")
    calendar = Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    names = {one_line(p) for p in PAYLOADS.values()}  # names are one line (incidents.one_line)
    assert {str(event["summary"]) for event in events} <= names
    assert len(events) == len(page.maintenance)
    unfolded = re.sub(r"\r\n[ \t]", "", response.content.decode())
    lines = unfolded.split("\r\n")
    assert lines.count("BEGIN:VEVENT") == len(events)
    assert [line for line in lines if line.startswith(("SUMMARY:injected", "Bcc"))] == []
    descriptions = [str(event["description"]) for event in events]
    assert any("BEGIN:VEVENT" in text for text in descriptions)  # kept, as text of one field


def test_the_badges_are_svg_without_script(client, page):
    paths = ["/badge.svg"] + [f"/components/{c.public_id}/badge.svg" for c in page.components]
    for path in paths:
        for language in ("en", "ja"):
            response = client.get(path, {"lang": language})
            assert response.status_code == 200
            assert xml_findings(response.content) == [], path


def test_api_v2_is_json_that_is_never_read_as_html(client, page):
    for name in API_V2:
        response = client.get(f"/api/v2/{name}.json")
        assert response.status_code == 200, name
        assert response["Content-Type"].split(";")[0] == "application/json", name
        assert response["X-Content-Type-Options"] == "nosniff", name
        json.loads(response.content)
    summary = json.loads(client.get("/api/v2/summary.json").content)
    names = {incident["name"] for incident in summary["incidents"]}
    assert single_line(PAYLOADS["script"]) in names  # Statuspage's JSON carries text as is


def test_embed_js_carries_no_page_data(client, page):
    script = client.get("/embed.js").content.decode()
    assert MARK not in script and "evil.example" not in script
    assert "</script" not in script.lower()


def test_the_static_export_is_inert_file_by_file(page, tmp_path):
    call_command("export_static_page", str(tmp_path / "site"), stdout=StringIO())
    findings = {}
    files = [p for p in (tmp_path / "site").rglob("*") if p.is_file()]
    for path in files:
        findings[path.name] = exported_findings(path)
    assert {name: found for name, found in findings.items() if found} == {}
    assert {p.suffix for p in files} >= {".html", ".json", ".svg", ".atom", ".rss", ".ics"}


def exported_findings(path: Path) -> list[str]:
    data = path.read_bytes()
    if path.suffix == ".html":
        return html_findings(data)
    if path.suffix in {".atom", ".rss"}:
        return feed_findings(data)
    if path.suffix == ".svg":
        return xml_findings(data)
    if path.suffix == ".json":
        json.loads(data)
    return []
