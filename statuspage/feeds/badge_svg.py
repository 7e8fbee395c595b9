"""Draw a status badge: a flat two-part SVG in the style of shields.io, with a <title>.

Widths are estimated from Verdana's advance widths at 11px; each text also carries
`textLength`, so that a viewer with another font still fits the text into its box.
"""

import unicodedata
from dataclasses import dataclass

from django.utils.html import escape

from statuspage.feeds.xml_text import xml_safe

LABEL_COLOUR = "#555"
HEIGHT = 20
PADDING = 6  # each side of each text
MAX_LABEL_LENGTH = 40

# Verdana 11px advance widths in pixels (its unitsPerEm is 2048); close enough for a badge.
CHARACTER_WIDTHS = {
    **dict(zip("abcdefghijklmnopqrstuvwxyz", (
        6.6, 6.8, 5.7, 6.8, 6.5, 3.9, 6.8, 6.9, 3.0, 3.8, 6.4, 3.0, 10.6,
        6.9, 6.6, 6.8, 6.8, 4.6, 5.6, 4.3, 6.9, 6.4, 8.8, 6.4, 6.4, 5.6,
    ), strict=True)),
    **dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", (
        7.5, 7.6, 7.7, 8.5, 7.0, 6.3, 8.5, 8.3, 4.6, 5.0, 7.5, 6.2, 9.3,
        8.2, 8.7, 6.6, 8.7, 7.6, 7.5, 6.6, 8.1, 7.5, 10.9, 7.5, 6.7, 7.5,
    ), strict=True)),
    " ": 3.9, ".": 3.9, ",": 3.9, ":": 4.7, ";": 4.7, "!": 4.7, "|": 5.0, "'": 3.2,
    "-": 4.7, "(": 4.9, ")": 4.9, "/": 4.9,
}  # fmt: skip
DIGIT_WIDTH = 7.0
WIDE_WIDTH = 11.0  # CJK and other full-width characters
OTHER_WIDTH = 7.0


@dataclass(frozen=True)
class Badge:
    label: str
    message: str
    colour: str

    @property
    def title(self) -> str:
        return f"{self.label}: {self.message}"


def character_width(char: str) -> float:
    if char in CHARACTER_WIDTHS:
        return CHARACTER_WIDTHS[char]
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return WIDE_WIDTH
    return DIGIT_WIDTH if char.isdigit() else OTHER_WIDTH


def text_width(text: str) -> int:
    return round(sum(character_width(char) for char in text))


def clean_label(label: str, default: str) -> str:
    """A visitor's ?label=: one line of text, at most MAX_LABEL_LENGTH characters."""
    label = " ".join(xml_safe(label).split())[:MAX_LABEL_LENGTH].strip()
    return label or default


def text_svg(text: str, *, centre: float, width: int) -> str:
    shown = escape(text)
    return (
        f'<text aria-hidden="true" x="{centre}" y="15" fill="#010101" fill-opacity=".3" '
        f'textLength="{width}">{shown}</text>'
        f'<text x="{centre}" y="14" textLength="{width}">{shown}</text>'
    )


def badge_svg(badge: Badge) -> str:
    """The SVG document of `badge`; every text in it is escaped."""
    label_text, message_text = text_width(badge.label), text_width(badge.message)
    left, right = label_text + 2 * PADDING, message_text + 2 * PADDING
    total = left + right
    title = escape(badge.title)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="{HEIGHT}" '
        f'role="img" aria-label="{title}"><title>{title}</title>'
        '<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" '
        'stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>'
        f'<clipPath id="r"><rect width="{total}" height="{HEIGHT}" rx="3" fill="#fff"/>'
        '</clipPath><g clip-path="url(#r)">'
        f'<rect width="{left}" height="{HEIGHT}" fill="{LABEL_COLOUR}"/>'
        f'<rect x="{left}" width="{right}" height="{HEIGHT}" fill="{escape(badge.colour)}"/>'
        f'<rect width="{total}" height="{HEIGHT}" fill="url(#s)"/></g>'
        '<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" '
        'text-rendering="geometricPrecision" font-size="11">'
        f"{text_svg(badge.label, centre=left / 2, width=label_text)}"
        f"{text_svg(badge.message, centre=left + right / 2, width=message_text)}"
        "</g></svg>\n"
    )
