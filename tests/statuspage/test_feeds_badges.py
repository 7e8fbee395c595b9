"""SVG status badges: the page's roll-up and one component's (or group's) status, in words and
colour, with an accessible title; ?label= is escaped and capped; unknown ids are 404."""

import xml.etree.ElementTree as ET

import pytest

from incidents import services
from incidents.choices import StatusChangeSource

pytestmark = pytest.mark.django_db

SVG = {"svg": "http://www.w3.org/2000/svg"}


def badge(client, path: str, **params) -> tuple[ET.Element, bytes]:
    response = client.get(path, params)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    return ET.fromstring(response.content), response.content


def words(svg: ET.Element) -> list[str]:
    """The visible texts (the shadow copies are aria-hidden)."""
    return [
        t.text for t in svg.iter("{http://www.w3.org/2000/svg}text") if not t.get("aria-hidden")
    ]


def message_colour(svg: ET.Element) -> str:
    return svg.findall("svg:g/svg:rect", SVG)[1].get("fill")


def set_status(component, status):
    services.set_component_status(
        component=component, status=status, source=StatusChangeSource.ADMIN
    )


@pytest.mark.parametrize(
    ("make", "message", "colour"),
    [
        (lambda c: None, "operational", "#1a7f37"),
        (lambda c: set_status(c["API"], "degraded_performance"), "minor outage", "#9a6700"),
        (lambda c: set_status(c["API"], "major_outage"), "partial outage", "#bc4c00"),
        (
            lambda c: services.declare_incident(
                name="Everything is down", body="Down.", impact_override="critical"
            ),
            "major outage",
            "#cf222e",
        ),
        (lambda c: set_status(c["Web"], "under_maintenance"), "maintenance", "#0969da"),
    ],
)
def test_page_badge_names_the_rollup(client, components, make, message, colour):
    make(components)
    svg, _ = badge(client, "/badge.svg")
    assert words(svg) == ["status", message]
    assert svg.find("svg:title", SVG).text == f"status: {message}"
    assert svg.get("aria-label") == f"status: {message}"
    assert svg.get("role") == "img"
    assert message_colour(svg) == colour


@pytest.mark.parametrize(
    ("status", "message"),
    [
        ("operational", "operational"),
        ("degraded_performance", "degraded performance"),
        ("partial_outage", "partial outage"),
        ("major_outage", "major outage"),
        ("under_maintenance", "under maintenance"),
    ],
)
def test_component_badge_names_its_status(client, components, status, message):
    set_status(components["Database"], status)
    path = f"/components/{components['Database'].public_id}/badge.svg"
    svg, _ = badge(client, path)
    assert words(svg) == ["Database", message]
    assert svg.find("svg:title", SVG).text == f"Database: {message}"


def test_a_group_badge_shows_its_worst_component(client):
    group = services.create_component_group(name="Storage")
    disks = services.create_component(name="Disks", group=group)
    services.create_component(name="Backups", group=group)
    set_status(disks, "partial_outage")
    svg, _ = badge(client, f"/components/{group.public_id}/badge.svg")
    assert words(svg) == ["Storage", "partial outage"]


def test_unknown_component_is_404(client, components):
    assert client.get("/components/nosuchthing1/badge.svg").status_code == 404


def test_the_label_is_escaped_and_capped(client, components):
    hostile = '<script>alert("x")</script>&amp;<svg onload=alert(1)>' + "x" * 100
    svg, body = badge(client, "/badge.svg", label=hostile)
    assert b"<script" not in body
    assert b"<svg onload" not in body
    assert b"&lt;script&gt;" in body
    [label, _] = words(svg)
    assert label == hostile[:40]
    assert svg.find("svg:title", SVG).text == f"{hostile[:40]}: operational"


def test_a_blank_label_falls_back_and_control_characters_are_dropped(client, components):
    svg, _ = badge(client, "/badge.svg", label="   ")
    assert words(svg)[0] == "status"
    svg, _ = badge(client, "/badge.svg", label="up\x00\x1btime\nnow")
    assert words(svg)[0] == "uptime now"


def test_a_component_badge_takes_a_label_too(client, components):
    path = f"/components/{components['API'].public_id}/badge.svg"
    svg, _ = badge(client, path, label="Public API")
    assert words(svg) == ["Public API", "operational"]


def test_the_badge_is_cached_and_runs_nothing(client, components, django_assert_num_queries):
    first = client.get("/badge.svg")
    with django_assert_num_queries(0):
        second = client.get("/badge.svg")
    assert second.content == first.content
    assert first["Content-Security-Policy"] == "default-src 'none'"
    assert first["Cache-Control"].startswith("public")


def test_wider_text_gives_a_wider_badge(client, components):
    narrow, _ = badge(client, "/badge.svg", label="ok")
    wide, _ = badge(client, "/badge.svg", label="ステータスページ")
    assert int(wide.get("width")) > int(narrow.get("width"))
