"""The language of a public answer (the status page, /api/v2, the feeds, the subscription and
error pages alike) and the links that keep a language the visitor chose.

Only `?lang=` and Accept-Language choose it. Cookies play no part, so that a shared cache keyed
on the same two inputs stays right.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import trans_real

PUBLIC_LANGUAGES = tuple(code for code, _ in settings.LANGUAGES)
LANGUAGE_NAMES = {"en": "English", "ja": "日本語"}


def public_language(request: HttpRequest, *, negotiate: bool = True) -> str:
    """The language to answer in: `?lang=` when it names one of ours, else (when `negotiate`)
    Accept-Language, else the default."""
    asked = request.GET.get("lang", "")
    if asked in PUBLIC_LANGUAGES:
        return asked
    if not negotiate:
        return settings.LANGUAGE_CODE
    header = request.headers.get("Accept-Language", "")
    for code, _ in trans_real.parse_accept_lang_header(header):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


def explicit_language(request: HttpRequest) -> str:
    """The language asked for with ?lang= (carried on to internal links), or ''."""
    asked = request.GET.get("lang", "")
    return asked if asked in PUBLIC_LANGUAGES else ""


def with_language(url: str, request: HttpRequest) -> str:
    """`url` with ?lang= added when the visitor chose the language by query."""
    language = explicit_language(request)
    if not language:
        return url
    return f"{url}{'&' if '?' in url else '?'}{urlencode({'lang': language})}"


def in_language(url: str, language: str) -> str:
    """`url` in `language` whoever asks: ?lang= unless it is the default language. For
    addresses handed to programs that send no Accept-Language of the visitor's (feed readers,
    calendars, the live page's script); the default's address stays the one others share."""
    if language == settings.LANGUAGE_CODE:
        return url
    return f"{url}{'&' if '?' in url else '?'}{urlencode({'lang': language})}"


@dataclass(frozen=True)
class LanguageLink:
    code: str
    name: str
    url: str
    current: bool


def language_links(request: HttpRequest, language: str) -> list[LanguageLink]:
    """A link per language to this same page, its other query parameters kept."""
    links = []
    for code in PUBLIC_LANGUAGES:
        query = request.GET.copy()
        query["lang"] = code
        links.append(
            LanguageLink(
                code=code,
                name=LANGUAGE_NAMES.get(code, code),
                url=f"{request.path}?{query.urlencode()}",
                current=code == language,
            )
        )
    return links
