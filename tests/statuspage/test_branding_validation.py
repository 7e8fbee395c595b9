"""The branding's checks, before anything is stored: brand colours against WCAG AA in light and
dark mode, SVG logos rebuilt passive, PNG logos checked chunk by chunk, and header/footer
links."""

import struct
import zlib

import pytest
from django.core.exceptions import ValidationError

from incidents.branding.colours import (
    contrast_ratio,
    dark_variant,
    normalized_colour,
    validate_brand_colour,
    validate_brand_colour_dark,
)
from incidents.branding.links import links_text, parsed_links, validate_links
from incidents.branding.logo import MAX_LOGO_BYTES, LogoType, checked_logo


def messages(error: ValidationError) -> list[str]:
    return list(error.messages)


def png(width=4, height=2, *, colour_type=6, extra=b"", idat=None, tail=b"") -> bytes:
    """A real PNG of one colour, built by hand (Pillow is not a dependency)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    samples = {2: 3, 6: 4}[colour_type]
    rows = b"".join(b"\x00" + b"\x10\x80\xf0\xff"[:samples] * width for _ in range(height))
    data = zlib.compress(rows) if idat is None else idat
    ihdr = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + extra
        + chunk(b"IDAT", data)
        + chunk(b"IEND", b"")
        + tail
    )


def text_chunk(text: bytes) -> bytes:
    return (
        struct.pack(">I", len(text))
        + b"tEXt"
        + text
        + struct.pack(">I", zlib.crc32(b"tEXt" + text))
    )


# Brand colours


def test_contrast_is_computed_as_wcag_says():
    assert round(contrast_ratio("#000000", "#ffffff"), 2) == 21.0
    assert round(contrast_ratio("#0550ae", "#ffffff"), 2) == 7.59


def test_colours_are_normalized():
    assert normalized_colour(" #0550AE ") == "#0550ae"
    assert normalized_colour("0550ae") == "#0550ae"
    assert normalized_colour("#05a") == "#0055aa"
    with pytest.raises(ValidationError) as error:
        normalized_colour("blue")
    assert messages(error.value) == ["“blue” is not a colour: write it as #rrggbb, e.g. #0550ae."]


def test_a_light_brand_colour_too_pale_for_white_text_is_refused_with_its_ratio():
    with pytest.raises(ValidationError) as error:
        validate_brand_colour("#ffcc00")
    assert messages(error.value) == [
        "#ffcc00 reaches only 1.51:1 against white (the light page and the text on the button) "
        "in light mode; WCAG AA asks for at least 4.5:1. Choose a darker colour."
    ]


def test_a_colour_just_under_the_ratio_is_not_rounded_up():
    # #777777 on white is 4.478:1 (shown 4.47, not 4.48 or 4.5); #767676 passes on white but
    # not on the light header.
    with pytest.raises(ValidationError) as error:
        validate_brand_colour("#777777")
    assert messages(error.value)[0].startswith("#777777 reaches only 4.47:1 against white")
    with pytest.raises(ValidationError) as error:
        validate_brand_colour("#767676")
    assert messages(error.value)[0].startswith(
        "#767676 reaches only 4.26:1 against the light header (#f6f8fa) in light mode"
    )


def test_a_dark_brand_colour_must_stand_out_on_the_dark_page():
    validate_brand_colour("#0550ae")
    with pytest.raises(ValidationError) as error:
        validate_brand_colour_dark("#0550ae")
    assert messages(error.value) == [
        "#0550ae reaches only 2.49:1 against the dark page (#0d1117, also the text on the "
        "button) in dark mode; WCAG AA asks for at least 4.5:1. Choose a lighter colour, or "
        "leave the dark-mode colour empty to have one derived."
    ]
    validate_brand_colour_dark("#79c0ff")


@pytest.mark.parametrize("colour", ["#0550ae", "#6f42c1", "#000000", "#bf3989", "#1a7f37"])
def test_the_derived_dark_colour_reaches_aa_on_the_dark_page(colour):
    derived = dark_variant(colour)
    validate_brand_colour_dark(derived)
    assert contrast_ratio(derived, "#0d1117") >= 4.5
    assert derived != "#ffffff" or colour == "#000000"


# SVG logos

CLEAN_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 10" width="160" height="40">'
    b'<title>Acme</title><path d="M0 0h10v10z" fill="#0550ae"/></svg>'
)


def test_a_clean_svg_keeps_its_drawing():
    logo = checked_logo(CLEAN_SVG)
    assert logo.content_type == LogoType.SVG
    assert logo.removed == ()
    assert logo.content == CLEAN_SVG.replace(b'"/>', b'"></path>')
    assert len(logo.digest) == 16


def test_scripts_handlers_foreign_objects_and_outside_references_are_stripped():
    hostile = b"""<?xml version="1.0"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     viewBox="0 0 10 10" onload="alert(1)">
  <script>alert(2)</script>
  <foreignObject><body xmlns="http://www.w3.org/1999/xhtml"><script>alert(3)</script></body></foreignObject>
  <style>@import url(https://evil.example/x.css);</style>
  <style>.a{fill:#123456}</style>
  <style>@font-face{font-family:x;src:local(y)}</style>
  <linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient>
  <image href="https://evil.example/track.png" width="1" height="1"/>
  <use xlink:href="https://evil.example/sprite.svg#a"/>
  <use href="#g"/>
  <a href="javascript:alert(4)"><rect width="1" height="1"/></a>
  <rect class="a" width="5" height="5" fill="url(#g)" onclick="alert(5)"/>
  <rect width="5" height="5" style="fill:url(https://evil.example/p)"/>
  <rect width="5" height="5" fill="url( 'https://evil.example/q' )"/>
</svg>"""
    logo = checked_logo(hostile)
    text = logo.content.decode()
    for word in ("script", "alert", "evil", "foreignObject", "onload", "onclick", "@import",
                 "<image", "<a ", "xlink", "DOCTYPE"):  # fmt: skip
        assert word not in text, word
    assert "<style>.a{fill:#123456}</style>" in text
    assert '<use href="#g"></use>' in text
    assert '<rect class="a" width="5" height="5" fill="url(#g)"></rect>' in text
    assert set(logo.removed) >= {"<script>", "<foreignObject>", "<style>", "<image>", "<a>",
                                 "onload=", "onclick=", "href=", "style=", "fill="}  # fmt: skip


def test_an_svg_that_declares_entities_is_refused():
    laughs = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>"""
    with pytest.raises(ValidationError) as error:
        checked_logo(laughs)
    assert messages(error.value) == ["The SVG declares XML entities; save it without them."]
    external = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>"""
    with pytest.raises(ValidationError):
        checked_logo(external)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'><g></svg>",
         "The SVG is not well-formed XML (mismatched tag: line 1, column 45)."),
        (b"<html xmlns='http://www.w3.org/1999/xhtml'></html>",
         "The logo must be an SVG or a PNG image."),
        (b"<?xml version='1.0'?><html></html>",
         "The file is not an SVG image (its root is not <svg>)."),
        (b"<svg><rect/></svg>", "The file is not an SVG image (its root is not <svg>)."),
        (b"GIF89a....", "The logo must be an SVG or a PNG image."),
        (b"<svg xmlns='http://www.w3.org/2000/svg'>" + b" " * MAX_LOGO_BYTES + b"</svg>",
         f"The logo is {MAX_LOGO_BYTES + 46} bytes; at most {MAX_LOGO_BYTES} are accepted."),
    ],
)  # fmt: skip
def test_files_that_are_not_a_usable_svg_are_refused(data, message):
    with pytest.raises(ValidationError) as error:
        checked_logo(data)
    assert messages(error.value) == [message]


def test_a_logo_keeps_its_own_dark_mode_colours():
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><style>'
        b".t{fill:#1f2328}@media (prefers-color-scheme: dark){.t{fill:#e6edf3}}</style>"
        b'<text class="t" x="0" y="8">A</text></svg>'
    )
    assert checked_logo(svg).content == svg


# PNG logos


def test_a_png_is_kept_without_its_metadata():
    original = png(extra=text_chunk(b"Author\x00Someone"))
    logo = checked_logo(original)
    assert logo.content_type == LogoType.PNG
    assert logo.removed == ("tEXt",)
    assert logo.content == png()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (png()[:-5], "The PNG is damaged or not a PNG: it ends inside a chunk."),
        (png().replace(b"IEND", b"IENX"),
         "The PNG is damaged or not a PNG: a chunk's checksum is wrong."),
        (png(tail=b"junk after the end"),
         "The PNG is damaged or not a PNG: it ends inside a chunk."),
        (png(idat=zlib.compress(b"\x00" * 3)),
         "The PNG is damaged or not a PNG: its image data does not match its size."),
        (png(idat=b"not zlib"), "The PNG is damaged or not a PNG: its image data is corrupt."),
        (png(idat=zlib.compress(b"\x00" * 40)[:-6]),
         "The PNG is damaged or not a PNG: its image data is cut short."),
        (png(width=4096, height=1, idat=zlib.compress(b"\x00" * (1 + 4096 * 4))),
         "The PNG is 4096×1 pixels; at most 2048 on each side."),
    ],
)  # fmt: skip
def test_damaged_or_oversized_pngs_are_refused(data, message):
    with pytest.raises(ValidationError) as error:
        checked_logo(data)
    assert messages(error.value) == [message]


def test_a_png_decompression_bomb_is_refused_without_inflating_it_all():
    bomb = png(width=16, height=16, idat=zlib.compress(b"\x00" * 8_000_000))
    assert len(bomb) < MAX_LOGO_BYTES
    with pytest.raises(ValidationError) as error:
        checked_logo(bomb)
    assert messages(error.value) == [
        "The PNG is damaged or not a PNG: its image data does not match its size."
    ]


# Links


def test_links_are_read_one_per_line_with_an_optional_japanese_label():
    text = (
        "Blog | https://blog.example.com\n\n  Support | サポート | http://help.example.com/a?b=c \n"
    )
    links = parsed_links(text)
    assert links == [
        {"label": "Blog", "label_ja": "", "url": "https://blog.example.com"},
        {"label": "Support", "label_ja": "サポート", "url": "http://help.example.com/a?b=c"},
    ]
    assert links_text(links) == (
        "Blog | https://blog.example.com\nSupport | サポート | http://help.example.com/a?b=c"
    )
    validate_links(links)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Home | javascript:alert(1)",
         "Line 1: the address must be a full http:// or https:// URL."),
        ("Home | https://example.com\nFiles | ftp://example.com/",
         "Line 2: the address must be a full http:// or https:// URL."),
        ("https://example.com",
         "Line 1: write “Label | https://…” (a Japanese label may go between)."),
        (" | https://example.com",
         "Line 1: write “Label | https://…” (a Japanese label may go between)."),
        ("x" * 41 + " | https://example.com", "Line 1: a label has at most 40 characters."),
        ("\n".join(f"L{n} | https://example.com/{n}" for n in range(6)), "At most 5 links."),
    ],
)  # fmt: skip
def test_bad_links_are_refused_naming_the_line(text, message):
    with pytest.raises(ValidationError) as error:
        parsed_links(text)
    assert messages(error.value) == [message]


def test_stored_links_of_the_wrong_shape_are_refused():
    for value in ({"label": "x"}, ["https://example.com"], [{"label": 3, "url": "https://e.x"}]):
        with pytest.raises(ValidationError):
            validate_links(value)
