"""The feeds' links, moved to where an export is hosted (`--base-url`).

A feed reader needs absolute links; the live feeds make them from the page's configured address
(PageSettings.url, statuspage.feeds.address). An export hosted at another address would send
readers back to the live site, so with a base URL each link to an exported page becomes the
absolute URL of its file there. Ids (Atom's tag: URIs, calendar UIDs) are left alone: a reader
must keep recognising the entries it has seen.
"""

import re
from collections.abc import Callable

from incidents import selectors
from statuspage.feeds.address import page_address

# Feeds whose text holds links; iCalendar folds its lines at 75 octets, so it is unfolded first
# and folded again after.
FEED_SUFFIXES = (".atom", ".rss", ".ics")
ICS_FOLD = "\r\n "
ICS_LINE_OCTETS = 75


def page_base() -> str:
    return page_address(selectors.page_settings()).base


def with_moved_links(text: str, *, base: str, move: Callable[[str], str | None]) -> str:
    """`text` with each absolute link under `base` replaced by move(path), unless that is
    None (a page the export does not hold keeps its live link)."""
    if not base:
        return text
    pattern = re.compile(re.escape(base) + r"(/[^\s\"'<>&\\]*)?")

    def replace(match: re.Match) -> str:
        return move(match.group(1) or "/") or match.group(0)

    return pattern.sub(replace, text)


def with_moved_calendar_links(text: str, **kwargs) -> str:
    unfolded = text.replace(ICS_FOLD, "")
    moved = with_moved_links(unfolded, **kwargs)
    return "\r\n".join(fold_line(line) for line in moved.split("\r\n"))


def fold_line(line: str) -> str:
    """One content line folded as RFC 5545 says: at most 75 octets a line, never inside a
    character, each continuation starting with a space."""
    parts: list[str] = []
    current, size, limit = "", 0, ICS_LINE_OCTETS
    for character in line:
        octets = len(character.encode("utf-8"))
        if size + octets > limit:
            parts.append(current)
            current, size, limit = "", 0, ICS_LINE_OCTETS - 1
        current += character
        size += octets
    parts.append(current)
    return ICS_FOLD.join(parts)
