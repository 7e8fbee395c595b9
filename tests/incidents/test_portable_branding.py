"""The page's branding in a page document: the logo travels as base64 with its content type, the
colours and links as they are, and an import checks each as the console checks an upload or an
edit: a hostile logo, a colour without contrast or a link that is no web address is refused,
saying where and why, and nothing of the document is imported."""

import base64
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from incidents import services
from incidents.models import AuditEntry, Component, Incident, PageSettings
from incidents.portable import PortableError, export_page, import_page
from notify.models import Subscriber
from tests.incidents.portable_data import LOGO, page_document
from tests.statuspage.test_branding_settings import HOSTILE_SVG
from tests.statuspage.test_branding_validation import png, text_chunk

pytestmark = pytest.mark.django_db


def with_logo(data: bytes, content_type: str = "image/svg+xml") -> dict:
    document = page_document()
    document["page"]["logo"] = {
        "content_type": content_type,
        "base64": base64.b64encode(data).decode("ascii"),
    }
    return document


def nothing_written() -> bool:
    page = PageSettings.objects.filter(id=1).first()
    untouched = page is None or (page.logo_digest, page.brand_colour, page.name) == (
        "",
        "",
        "Noroshi",
    )
    tables = (Component, Incident, Subscriber, AuditEntry)
    return untouched and not any(model.objects.exists() for model in tables)


def test_the_logo_colours_and_links_travel_and_come_back_out_the_same():
    import_page(page_document())

    page = PageSettings.objects.get()
    assert (bytes(page.logo), page.logo_type) == (LOGO, "image/svg+xml")
    assert page.logo_digest == "4323175d85afe2f1"  # computed again, never read
    assert (page.brand_colour, page.brand_colour_dark) == ("#6f42c1", "")
    assert page.header_links == [
        {"label": "Home", "label_ja": "ホーム", "url": "https://example.com"}
    ]
    assert page.footer_links == [
        {"label": "Privacy", "label_ja": "", "url": "https://example.com/privacy"}
    ]
    assert (page.update_reminder_minutes, page.team_slack_webhook_url) == (
        45,
        "https://hooks.slack.com/services/T0/B0/secret",
    )
    assert export_page()["page"] == page_document()["page"]


def test_a_png_logo_travels_too():
    image = png()
    import_page(with_logo(image, "image/png"))

    assert (bytes(PageSettings.objects.get().logo), export_page()["page"]["logo"]) == (
        image,
        {"content_type": "image/png", "base64": base64.b64encode(image).decode("ascii")},
    )


def test_a_hostile_svg_is_refused_saying_what_it_holds_and_nothing_is_imported():
    with pytest.raises(PortableError) as refused:
        import_page(with_logo(HOSTILE_SVG))

    assert str(refused.value) == (
        "document.page.logo: the image holds what a logo may not (<script>, onload=); an "
        "export only holds a logo that was checked already, so this one was changed by hand."
    )
    assert nothing_written()


BOMB = b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>'


@pytest.mark.parametrize(
    ("logo", "message"),
    [
        (
            {"content_type": "image/svg+xml", "base64": base64.b64encode(BOMB).decode()},
            "document.page.logo: The SVG declares XML entities; save it without them.",
        ),
        (
            {"content_type": "image/svg+xml", "base64": "PHN2Zz4=!"},
            "document.page.logo.base64: not base64 text.",
        ),
        (
            {"content_type": "image/gif", "base64": base64.b64encode(b"GIF89a").decode()},
            "document.page.logo.content_type: “image/gif” is not one of image/svg+xml, image/png.",
        ),
        (
            {"content_type": "image/png", "base64": base64.b64encode(LOGO).decode()},
            "document.page.logo.content_type: “image/png”, but the bytes are image/svg+xml.",
        ),
        (
            {"content_type": "image/png", "base64": base64.b64encode(b"GIF89a...").decode()},
            "document.page.logo: The logo must be an SVG or a PNG image.",
        ),
        (
            {"content_type": "image/svg+xml", "base64": base64.b64encode(b"<svg" * 3000).decode()},
            "document.page.logo: The logo is 12000 bytes; at most 8192 are accepted.",
        ),
        ({"content_type": "image/svg+xml"}, "document.page.logo.base64: missing."),
        ("PHN2Zz4=", "document.page.logo: expected an object."),
    ],
)
def test_a_logo_the_console_would_refuse_is_refused_and_nothing_is_imported(logo, message):
    document = page_document()
    document["page"]["logo"] = logo

    with pytest.raises(PortableError) as refused:
        import_page(document)

    assert str(refused.value) == message
    assert nothing_written()


def test_a_png_with_metadata_is_refused_as_no_export_holds_one():
    tagged = png(extra=text_chunk(b"Author\x00someone"))

    with pytest.raises(PortableError, match=r"^document\.page\.logo: the image holds what a "
                       r"logo may not \(tEXt\); "):  # fmt: skip
        import_page(with_logo(tagged, "image/png"))

    assert nothing_written()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"brand_colour": "#ffcc00"},
            "document.page.brand_colour: #ffcc00 reaches only 1.51:1 against white (the light "
            "page and the text on the button) in light mode; WCAG AA asks for at least 4.5:1. "
            "Choose a darker colour.",
        ),
        (
            {"brand_colour_dark": "#0550ae"},
            "document.page.brand_colour_dark: #0550ae reaches only 2.49:1 against the dark "
            "page (#0d1117, also the text on the button) in dark mode; WCAG AA asks for at "
            "least 4.5:1. Choose a lighter colour, or leave the dark-mode colour empty to have "
            "one derived.",
        ),
        (
            {"brand_colour": "purple"},
            "document.page.brand_colour: “purple” is not a colour: write it as #rrggbb, e.g. "
            "#0550ae.",
        ),
        (
            {"header_links": [{"label": "Run", "label_ja": "", "url": "javascript:alert(1)"}]},
            "document.page.header_links: Line 1: the address must be a full http:// or "
            "https:// URL.",
        ),
        (
            {"footer_links": {"label": "Home", "url": "https://example.com"}},
            "document.page.footer_links: expected a list.",
        ),
        (
            {"update_reminder_minutes": 100000},
            "document.page.update_reminder_minutes: Ensure this value is less than or equal "
            "to 1440.",
        ),
    ],
)
def test_page_settings_the_console_would_refuse_are_refused_and_nothing_is_imported(
    change, message
):
    document = page_document()
    document["page"].update(change)

    with pytest.raises(PortableError) as refused:
        import_page(document)

    assert str(refused.value) == message
    assert nothing_written()


def test_an_import_replaces_the_branding_set_before_it():
    services.edit_page_settings(brand_colour="#0550ae", footer_links=[])
    services.set_page_logo(data=LOGO)
    older = page_document()
    for name in ("brand_colour", "brand_colour_dark", "header_links", "footer_links", "logo"):
        del older["page"][name]

    import_page(older)

    page = PageSettings.objects.get()
    assert (page.brand_colour, page.logo_digest, bytes(page.logo)) == ("", "", b"")


def test_the_import_command_says_nothing_was_imported_for_a_hostile_logo(tmp_path):
    path = tmp_path / "page.json"
    path.write_text(json.dumps(with_logo(HOSTILE_SVG)), encoding="utf-8")

    with pytest.raises(CommandError) as refused:
        call_command("import_page", str(path), stdout=StringIO())

    assert str(refused.value).startswith(
        "Nothing was imported. document.page.logo: the image holds what a logo may not "
    )
    assert nothing_written()
