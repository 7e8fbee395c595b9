"""The branding on the public pages: the logo (served passive, under an address that changes
with it and is cached for a year), the brand colours in the page's own style allowed by the
Content-Security-Policy through its hash (only when a colour is set), header
and footer links in the visitor's language, the tab icon in the roll-up's colour, and
`/favicon.ico`."""

import base64
import hashlib
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


BRAND_STYLE = (
    ":root{--brand:#6f42c1;--on-brand:#ffffff}"
    "@media (prefers-color-scheme: dark){:root{--brand:#9371d0;--on-brand:#0d1117}}"
)


def style_src(response) -> str:
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    return directives["style-src"]


def assert_policy_allows_its_own_style(response) -> str:
    """The page's one <style> is the brand's, and the policy allows it by its hash and
    allows nothing else inline; returns the style."""
    document = parse(response.content)
    (style,) = document.find_all("style")
    assert style in document.find("head").children
    text = style.children[0]
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    assert style_src(response) == f"'self' 'sha256-{digest}'"
    assert b" style=" not in response.content
    return text


@pytest.mark.parametrize(
    ("path", "status"),
    [("/", 200), ("/history", 200), ("/uptime", 200), ("/subscribe", 200), ("/incidents/x", 404)],
)
def test_the_brand_colour_is_in_the_page_s_own_style_allowed_by_its_hash(client, path, status):
    services.edit_page_settings(brand_colour="#6f42c1")

    response = client.get(path)

    assert response.status_code == status
    assert assert_policy_allows_its_own_style(response) == BRAND_STYLE
    stylesheets = parse(response.content).find_all("link", rel="stylesheet")
    hrefs = [link.attrs["href"] for link in stylesheets]
    assert hrefs[0] == "/static/statuspage/page.css"
    assert not any(href.startswith("/brand/") for href in hrefs)


def test_without_a_brand_colour_there_is_no_style_and_no_hash(client):
    response = client.get("/")

    assert b"<style" not in response.content
    assert style_src(response) == "'self'"


def test_a_new_colour_changes_the_cached_page_and_its_policy_together(
    client, django_assert_num_queries
):
    services.edit_page_settings(brand_colour="#6f42c1")
    first = client.get("/")
    with django_assert_num_queries(0):  # from the cache, with the policy it was kept with
        cached = client.get("/")
    assert cached.content == first.content
    assert cached["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert assert_policy_allows_its_own_style(cached) == BRAND_STYLE
    # A cache that revalidates its copy hears the same policy with the 304.
    not_modified = client.get("/", headers={"If-None-Match": first["ETag"]})
    assert not_modified.status_code == 304
    assert not_modified["Content-Security-Policy"] == first["Content-Security-Policy"]

    services.edit_page_settings(brand_colour_dark="#d2a8ff")
    mark_page_changed()  # what the write's on_commit does (tests run in a transaction)
    changed = client.get("/")

    assert assert_policy_allows_its_own_style(changed) == BRAND_STYLE.replace("#9371d0", "#d2a8ff")
    assert style_src(changed) != style_src(first)
    assert client.get("/brand/" + "0" * 16 + ".css").status_code == 404


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
