"""Reading an exported folder back in tests: its files, and the links inside its HTML."""

import posixpath
import re
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

LINK = re.compile(r'\s(?:href|src|action)="([^"]*)"')


def exported_files(root: Path) -> set[str]:
    return {path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file()}


def links_of(root: Path, name: str) -> list[str]:
    return [unescape(url) for url in LINK.findall((root / name).read_text())]


def file_linked(page: str, url: str) -> str | None:
    """The exported file a relative link on `page` leads to (None for an absolute link or a
    place on the page itself)."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    return posixpath.normpath(posixpath.join(posixpath.dirname(page), parts.path))
