"""`/embed.js`: the status embed, a small script a customer puts into their own product
(`<script src="https://status.example.com/embed.js" async></script>`) that shows a small banner
there while an incident is open or maintenance is in progress, with a link to the page.

The script reads /api/v2/summary.json from this page's origin (CORS open; no cookies sent),
writes only text (textContent) and styles through the CSSOM, inside a shadow root, so it
needs nothing from the host page's CSP beside loading it and connecting here. It carries its
words in every public language and speaks the one asked for (`?lang=` on its address or
`data-lang` on its tag), else the host page's (`<html lang>`), else the default.

The script is the same for everyone and reads no database: cached whole like the page, for
five minutes in browsers and shared caches (the status itself comes from summary.json, fresh).
"""

import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from incidents.choices import ALL_INCIDENT_STATUS_CHOICES
from statuspage.languages import PUBLIC_LANGUAGES, in_language
from statuspage.public_cache import public_response

CONTENT_TYPE = "text/javascript; charset=utf-8"
# Where the script puts an incident's id in the address of its page.
ID_MARK = "__id__"
HEADERS = {
    "Cache-Control": "public, max-age=300, stale-while-revalidate=3600, stale-if-error=86400",
}


def embed_words(language: str) -> dict:
    """What the banner says and where it links, in `language`."""
    with translation.override(language):
        return {
            "summary": in_language(reverse("api_v2:summary"), language),
            "page": in_language(reverse("public:overview"), language),
            "incident": in_language(reverse("public:incident", args=[ID_MARK]), language),
            "status": {value: str(label) for value, label in ALL_INCIDENT_STATUS_CHOICES},
            "region": _("%(page_name)s status"),
            "incident_kind": _("Incident"),
            "maintenance_kind": _("Scheduled maintenance"),
            "view": _("View the status page"),
            "dismiss": _("Dismiss"),
        }


def embed_config() -> str:
    config = {
        # Every minute by default: twice the live page's interval, a host page being open long.
        "seconds": settings.NOROSHI_LIVE_SECONDS * 2,
        "default": settings.LANGUAGE_CODE,
        "languages": {code: embed_words(code) for code in PUBLIC_LANGUAGES},
    }
    # ASCII only: the script stays valid whatever charset a host page assumes for it.
    return json.dumps(config, ensure_ascii=True, separators=(",", ":"))


@public_response(cors=True, negotiate_language=False, extra_headers=HEADERS)
def embed_script(request: HttpRequest) -> HttpResponse:
    """The status embed's script (see the module docstring)."""
    context = {"config": embed_config()}
    return render(request, "statuspage/embed.js", context, content_type=CONTENT_TYPE)
