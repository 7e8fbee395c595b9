"""The branding on the public pages: the logo (served passive, under an address that changes
with it and is cached for a year), the brand stylesheet (only when a colour is set), header
and footer links in the visitor's language, the tab icon in the roll-up's colour, and
`/favicon.ico`."""

import struct
from urllib.parse import unquote

import pytest

from incidents import services
from incidents.changes import mark_page_changed
from incidents.choices import StatusChangeSource
from tests.statuspage.page_html import parse
from tests.statuspage.test_branding_validation import png

pytestmark = pytest.mark.django_db

SVG_WITH_SCRIPT = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><script>alert(1)</script>'
    b'<rect width="10" height="10" fill="#6f42c1" onclick="alert(2)"/></svg>'
)
FOR_A_YEAR = "public, max-age=31536000, immutable"


def header_and_footer(client, path="/"):
    document = parse(client.get(path).content)
    return document.find("header"), document.find("footer"), document


def test_without_branding_the_page_shows_its_name_and_asks_for_nothing_more(client):
    services.edit_page_settings(name="Acme")
    header, _, document = header_and_footer(client)
    assert header.find("a", cls="brand").text() == "Acme"
    assert not header.find_all("img")
    assert not document.find_all("nav", cls="brand-links")
    stylesheets = [link.attrs["href"] for link in document.find_all("link", rel="stylesheet")]
    assert stylesheets == ["/static/statuspage/page.css"]


def test_the_logo_replaces_the_name_and_is_served_without_its_script(client):
    services.edit_page_settings(name="Acme")
    logo = services.set_page_logo(data=SVG_WITH_SCRIPT)
    assert logo is not None
    header, _, _ = header_and_footer(client)
    image = header.find("a", cls="brand").find("img")
    assert image.attrs == {"src": f"/brand/logo-{logo.digest}.svg", "alt": "Acme"}

    response = client.get(image.attrs["src"])

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Cache-Control"] == FOR_A_YEAR
    assert response["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'"
    assert response.content == (
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
        b'<rect width="10" height="10" fill="#6f42c1"></rect></svg>'
    )
    assert b"script" not in response.content and b"alert" not in response.content


def test_a_new_logo_gets_a_new_address_and_the_old_one_is_gone(client):
    old = services.set_page_logo(data=SVG_WITH_SCRIPT)
    new = services.set_page_logo(data=png())
    assert old is not None and new is not None
    assert client.get(f"/brand/logo-{old.digest}.svg").status_code == 404
    response = client.get(f"/brand/logo-{new.digest}.png")
    assert (response.status_code, response["Content-Type"]) == (200, "image/png")
    assert response.content == png()
    services.set_page_logo(data=None)
    mark_page_changed()  # what the write's on_commit does (tests run in a transaction)
    assert client.get(f"/brand/logo-{new.digest}.png").status_code == 404
    header, _, _ = header_and_footer(client)
    assert not header.find_all("img")


def test_the_brand_colour_reaches_the_page_through_a_cached_stylesheet(client):
    services.edit_page_settings(brand_colour="#6f42c1")
    _, _, document = header_and_footer(client)
    stylesheets = [link.attrs["href"] for link in document.find_all("link", rel="stylesheet")]
    assert stylesheets[0] == "/static/statuspage/page.css"
    assert len(stylesheets) == 2 and stylesheets[1].startswith("/brand/")
    page = client.get("/").content
    assert b" style=" not in page and b"<style" not in page  # the CSP allows no inline style

    response = client.get(stylesheets[1])

    assert response.status_code == 200
    assert response["Content-Type"] == "text/css; charset=utf-8"
    assert response["Cache-Control"] == FOR_A_YEAR
    assert response.content.decode() == (
        ":root{--brand:#6f42c1;--on-brand:#ffffff}\n"
        "@media (prefers-color-scheme: dark){:root{--brand:#9371d0;--on-brand:#0d1117}}\n"
    )
    services.edit_page_settings(brand_colour_dark="#d2a8ff")
    mark_page_changed()
    assert client.get(stylesheets[1]).status_code == 404
    _, _, document = header_and_footer(client)
    newer = document.find_all("link", rel="stylesheet")[1].attrs["href"]
    assert b"--brand:#d2a8ff" in client.get(newer).content


def test_header_and_footer_links_follow_the_language(client):
    services.edit_page_settings(
        header_links=[
            {"label": "Home", "label_ja": "ホーム", "url": "https://acme.example/"},
            {"label": "Docs", "label_ja": "", "url": "https://docs.acme.example/"},
        ],
        footer_links=[{"label": "Privacy", "label_ja": "", "url": "https://acme.example/p"}],
    )
    for language, first in (("en", "Home"), ("ja", "ホーム")):
        header, footer, _ = header_and_footer(client, f"/history?lang={language}")
        nav = header.find("nav", cls="brand-links")
        links = [(a.text(), a.attrs["href"]) for a in nav.find_all("a")]
        assert links == [(first, "https://acme.example/"), ("Docs", "https://docs.acme.example/")]
        assert [a.text() for a in footer.find("ul", cls="brand-links").find_all("a")] == ["Privacy"]


def icon_of(client, path: str) -> str:
    _, _, document = header_and_footer(client, path)
    href = document.find("link", rel="icon").attrs["href"]
    assert href.startswith("data:image/svg+xml,")
    return unquote(href.removeprefix("data:image/svg+xml,"))


def test_the_tab_icon_shows_the_roll_up_on_the_overview_and_the_brand_elsewhere(client):
    api = services.create_component(name="API")
    assert "fill='#1a7f37'" in icon_of(client, "/")  # operational green, with a tick
    services.set_component_status(
        component=api, status="major_outage", source=StatusChangeSource.ADMIN
    )
    mark_page_changed()
    icon = icon_of(client, "/")
    # A component in major outage makes the indicator "major": orange, with a "!".
    assert "fill='#bc4c00'" in icon and "<circle cx='16' cy='23.5'" in icon
    assert "fill='#0550ae'" in icon_of(client, "/history")
    services.edit_page_settings(brand_colour="#6f42c1")
    mark_page_changed()
    assert "fill='#6f42c1'" in icon_of(client, "/history")


def test_favicon_ico_is_an_icon_in_the_roll_ups_colour(client):
    api = services.create_component(name="API")
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    reserved, kind, count = struct.unpack("<HHH", response.content[:6])
    width, height, _, _, planes, bits, size, offset = struct.unpack(
        "<BBBBHHII", response.content[6:22]
    )
    assert (reserved, kind, count, width, height, planes, bits) == (0, 1, 1, 32, 32, 1, 32)
    assert response.content[offset:].startswith(b"\x89PNG") and len(response.content) == 22 + size
    green = response.content

    services.set_component_status(
        component=api, status="major_outage", source=StatusChangeSource.ADMIN
    )
    mark_page_changed()
    assert client.get("/favicon.ico").content != green
