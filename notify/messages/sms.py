"""An announcement as one SMS: plain text of at most two segments, the link always whole."""

import html

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import strip_tags

from incidents.rendering import render_markdown
from notify.messages import Announcement

TEMPLATE = "notify/sms/announcement.txt"

# Two segments: 2 × 153 GSM-7 septets, or 2 × 67 UCS-2 code units (any non-GSM character,
# e.g. Japanese, switches the whole message to UCS-2).
GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = set("^{}\\[~]|€\f")  # two septets each
LIMIT = {"gsm": 306, "ucs2": 134}
ELLIPSIS = {"gsm": "...", "ucs2": "…"}  # "…" is not GSM-7: it would make the text UCS-2


def render(announcement: Announcement) -> str:
    """The SMS of an announcement; ValueError for one of no incident."""
    with translation.override(announcement.language):
        context = {
            "page_name": announcement.page_name,
            "headline": announcement.headline,
            "body": plain_text(announcement.body),
            "incident_url": announcement.incident_url,
        }
    return fitted(context)


def plain_text(markdown: str) -> str:
    """An update body as one line of text: Markdown rendered and sanitised, tags dropped."""
    return " ".join(html.unescape(strip_tags(render_markdown(markdown))).split())


def encoding(text: str) -> str:
    return "gsm" if all(c in GSM_BASIC or c in GSM_EXTENDED for c in text) else "ucs2"


def units(text: str, charset: str) -> int:
    """The length of `text` as a phone counts it (septets, or UTF-16 code units)."""
    if charset == "gsm":
        return sum(2 if c in GSM_EXTENDED else 1 for c in text)
    return sum(2 if ord(c) > 0xFFFF else 1 for c in text)


def shortened(text: str, allowed: int, charset: str) -> str:
    """`text` cut to at most `allowed` units, ending in an ellipsis ('' when none fit); a cut
    inside a word goes back to the word's start when that loses little."""
    room = allowed - units(ELLIPSIS[charset], charset)
    count, used = 0, 0
    for character in text:
        used += units(character, charset)
        if used > room:
            break
        count += 1
    kept = text[:count]
    if count < len(text) and not text[count].isspace() and " " in kept[-20:]:
        kept = kept[: kept.rindex(" ")]
    return kept.rstrip() + ELLIPSIS[charset] if kept.strip() else ""


def fitted(context: dict[str, str]) -> str:
    """The rendered SMS, within two segments: the body is shortened first, then the headline;
    the page name and the link are never cut."""
    text = render_to_string(TEMPLATE, context).strip()
    charset = encoding(text)
    for field in ("body", "headline"):
        over = units(text, charset) - LIMIT[charset]
        if over <= 0:
            break
        context[field] = shortened(context[field], units(context[field], charset) - over, charset)
        text = render_to_string(TEMPLATE, context).strip()
    return text
