"""Accessibility of every public page: landmarks, headings in order, a skip link, language and
charset, status in words beside colour, and WCAG AA contrast for the status colours."""

import re
from itertools import pairwise
from pathlib import Path

import pytest
import time_machine
from django.conf import settings

from incidents.models import Incident
from tests.statuspage.page_data import NOW, busy_page
from tests.statuspage.page_html import headings, parse

pytestmark = pytest.mark.django_db

CSS = Path(settings.BASE_DIR) / "statuspage" / "static" / "statuspage" / "page.css"
STATUSES = [
    "operational",
    "degraded_performance",
    "partial_outage",
    "major_outage",
    "under_maintenance",
]


@pytest.fixture
def busy():
    with time_machine.travel(NOW, tick=False):
        yield busy_page(components=4, incidents=3)


def page_paths(busy):
    incident = Incident.objects.get(name="Past incident 0")
    return [
        "/",
        f"/incidents/{incident.public_id}",
        "/history",
        "/maintenance",
        "/uptime",
        f"/uptime/{busy[0].public_id}",
        "/incidents/unknown00000",
    ]


@pytest.mark.parametrize("language", ["en", "ja"])
def test_every_page_has_landmarks_ordered_headings_and_a_skip_link(client, busy, language):
    for path in page_paths(busy):
        separator = "&" if "?" in path else "?"
        response = client.get(f"{path}{separator}lang={language}")
        assert response["Content-Type"] == "text/html; charset=utf-8", path
        document = parse(response.content)
        assert document.find("html").attrs["lang"] == language
        assert document.find("meta", charset="utf-8")
        assert document.find("meta", name="viewport")
        skip = document.find_all("a")[0]
        assert skip.attrs == {"class": "skip-link", "href": "#main"}
        assert document.find("main").attrs["id"] == "main"
        assert document.find("header")
        assert document.find("footer")
        assert len(document.find_all("nav")) >= 2
        levels = [level for level, _ in headings(document)]
        assert levels.count(1) == 1 and levels[0] == 1, path
        assert all(b - a <= 1 for a, b in pairwise(levels)), (path, levels)


def test_status_colours_always_come_with_words(client, busy):
    document = parse(client.get("/").content)

    marks = document.find_all(cls="status")
    assert len(marks) == 4 + 2  # every component and group
    assert all(mark.text() for mark in marks)
    cells = [cell for bar in document.find_all("ol", cls="bar") for cell in bar.find_all("li")]
    assert cells
    for cell in cells:
        date, words = cell.attrs["aria-label"].split("\n", 1)
        assert date and words


def relative_luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def css_colours(scheme: str = "light") -> dict[str, str]:
    """The palette of the light :root (the first), or the light one with the dark mode's
    :root (in the prefers-color-scheme: dark block) over it."""
    css = CSS.read_text()
    light = css[css.index(":root {") : css.index("}", css.index(":root {"))]
    colours = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6});", light))
    if scheme == "dark":
        block = css[css.index("@media (prefers-color-scheme: dark)") :]
        dark = block[: block.index("}")]
        colours |= dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6});", dark))
    colours["on-none"] = colours.get("on-none", colours["text"])  # var(--text) in light
    return colours


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("status", STATUSES)
def test_status_colours_reach_aa_as_text_and_behind_their_text(status, scheme):
    colours = css_colours(scheme)
    colour = colours[f"s-{status}"]
    assert contrast(colour, colours["bg"]) >= 4.5
    assert contrast(colour, colours["surface"]) >= 4.5
    # the banner and calendar day numbers
    assert contrast(colour, colours["on-status"]) >= 4.5


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_links_and_no_data_cells_reach_their_ratios(scheme):
    colours = css_colours(scheme)
    for name in ("text", "muted", "link"):
        assert contrast(colours[name], colours["bg"]) >= 4.5, name
        assert contrast(colours[name], colours["surface"]) >= 4.5, name
    assert contrast(colours["link"], colours["on-accent"]) >= 4.5  # the button
    assert contrast(colours["link-hover"], colours["on-accent"]) >= 4.5
    assert contrast(colours["text"], colours["on-text"]) >= 4.5  # tooltips, the skip link
    assert contrast(colours["s-none"], colours["bg"]) >= 3  # a graphic beside its words
    assert contrast(colours["s-none"], colours["on-none"]) >= 4.5  # calendar day numbers


def test_the_dark_palette_overrides_every_colour_of_the_light_one():
    light, dark = css_colours("light"), css_colours("dark")
    assert {name for name in light if light[name] == dark[name]} == set()


def test_focus_is_visible_and_the_phone_layout_exists():
    css = CSS.read_text()
    assert ":focus-visible { outline: 3px solid var(--focus);" in css
    assert "@media (max-width: 40rem)" in css
