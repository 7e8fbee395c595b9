"""Where each public address lands in an exported folder, and how one file links to another.

The live site chooses the language with `?lang=`; a folder on object storage or a CDN cannot
answer a query string differently, so in an export the language is a path prefix instead: the
default language (settings.LANGUAGE_CODE) at the root, each other one under `/<code>/`. Every
other query parameter a page takes (a history page, a component, a day, a month) becomes part
of the file name, and each HTML page gets a `.html` name so that any static host serves it with
the right type, without directory indexes or rewrite rules.

    /                                   index.html          ja/index.html
    /history?page=2                     history/page-2.html
    /history?component=abc&day=2026-01-02   history/component-abc_day-2026-01-02.html
    /incidents/abc                      incidents/abc.html
    /incidents/abc/postmortem           incidents/abc/postmortem.html
    /api/v2/summary.json                api/v2/summary.json ja/api/v2/summary.json
    /static/statuspage/page.css         static/statuspage/page.css (one copy for all languages)
"""

import posixpath
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings

# Characters kept as they are in a file name made from a query value; any other is written as
# ~<hex code point>, so that two different values never share a file.
UNSAFE_NAME_CHARACTER = re.compile(r"[^A-Za-z0-9.-]")


@dataclass(frozen=True, order=True)
class PublicAddress:
    """One public resource in one language: what to request, and where its file goes."""

    path: str  # e.g. "/history"
    params: tuple[tuple[str, str], ...]  # sorted, without `lang`
    language: str

    @property
    def request_path(self) -> str:
        """The path and query the live site answers this address at."""
        return f"{self.path}?{urlencode((*self.params, ('lang', self.language)))}"

    @property
    def file(self) -> str:
        """The file's path inside the export, relative to its root."""
        return language_prefix(self.language) + file_name(self.path, self.params)


def language_prefix(language: str) -> str:
    return "" if language == settings.LANGUAGE_CODE else f"{language}/"


def safe_name(value: str) -> str:
    return UNSAFE_NAME_CHARACTER.sub(lambda match: f"~{ord(match.group()):x}", value)


def file_name(path: str, params: tuple[tuple[str, str], ...]) -> str:
    """The file of `path` (with `params`), without the language prefix."""
    stem = path.strip("/")
    if "." in posixpath.basename(stem):
        return stem  # a JSON document, a feed, a badge: its own name already says its type
    stem = stem or "index"
    if params:
        stem += "/" + "_".join(f"{safe_name(key)}-{safe_name(value)}" for key, value in params)
    return f"{stem}.html"


def relative_link(from_file: str, to_file: str) -> str:
    """The link from one exported file to another, relative so that the folder works at any
    host and under any prefix."""
    return posixpath.relpath(to_file, posixpath.dirname(from_file) or ".")
