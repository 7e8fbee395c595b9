"""An announcement as one SMS: plain text of at most two segments, the link always whole.

The statuses the update set are summed up after the headline, new status only ("API: Major
outage"; an arrow is not GSM-7 and would halve the room), in whole entries: as many as fit in
a third of the message, the rest counted ("+2 more"); the summary goes before the headline is
cut.
"""

import html

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

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
SUMMARY_SHARE = 3  # the component summary takes at most a third of the message


def render(announcement: Announcement) -> str:
    """The SMS of an announcement; ValueError for one of no incident."""
    with translation.override(announcement.language):
        context = {
            "page_name": announcement.page_name,
            "headline": announcement.headline,
            "body": plain_text(announcement.body),
            "incident_url": announcement.incident_url,
        }
        entries = [f"{row.name}: {row.new_status}" for row in announcement.components]
        return fitted(context, entries)


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


def more(count: int) -> str:
    return _("+%(count)s more") % {"count": count}


def summary(entries: list[str], allowed: int, charset: str) -> str:
    """As many whole `entries` as fit in `allowed` units, the others counted ('' when not even
    one fits); in the active language."""
    for kept in range(len(entries), 0, -1):
        text = ", ".join(entries[:kept])
        if kept < len(entries):
            text += ", " + more(len(entries) - kept)
        if units(text, charset) <= allowed:
            return text
    return ""


def fitted(context: dict[str, str], entries: list[str]) -> str:
    """The rendered SMS, within two segments: the component summary within its share, then
    the body shortened, then the summary dropped, then the headline shortened; the page name
    and the link are never cut."""
    # The alphabet of everything the text may hold, the count of left-out entries included.
    every = ", ".join([*entries, more(len(entries))]) if entries else ""
    charset = encoding(render_to_string(TEMPLATE, {**context, "components": every}))
    context["components"] = summary(entries, LIMIT[charset] // SUMMARY_SHARE, charset)
    text = render_to_string(TEMPLATE, context).strip()
    for field in ("body", "components", "headline"):
        over = units(text, charset) - LIMIT[charset]
        if over <= 0:
            break
        if field == "components":
            context[field] = ""
        else:
            allowed = units(context[field], charset) - over
            context[field] = shortened(context[field], allowed, charset)
        text = render_to_string(TEMPLATE, context).strip()
    return text
