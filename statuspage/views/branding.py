"""The branding's files: the logo and `/favicon.ico` (the brand colours are in each page's
own <style>: statuspage.branding).

The logo is named by a digest of its bytes (statuspage.branding), so it is cached for a year;
an address whose digest is not the current one is a 404. Like every public response it is kept
whole in the cache and as a snapshot on disk, so a page served while the database is down still
shows its logo.
"""

from django.http import Http404, HttpRequest, HttpResponse

from incidents import selectors
from statuspage.favicon import status_icon_ico
from statuspage.public_cache import public_response

FOR_A_YEAR = {"Cache-Control": "public, max-age=31536000, immutable"}
# An SVG opened on its own is a document: it may draw (its own styles) and run nothing.
LOGO_HEADERS = FOR_A_YEAR | {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"
}


@public_response(extra_headers=LOGO_HEADERS, negotiate_language=False)
def logo(request: HttpRequest, digest: str, extension: str) -> HttpResponse:
    """The page's logo, as stored (a sanitized SVG or a checked PNG)."""
    found = selectors.page_logo()
    if found is None or found[2] != digest:
        raise Http404("No logo has this address.")
    content, content_type, _ = found
    return HttpResponse(content, content_type=content_type)


@public_response(negotiate_language=False)
def favicon(request: HttpRequest) -> HttpResponse:
    """`/favicon.ico`, for the clients that ask for it without reading the page (the pages
    name a data: icon): the roll-up's colour and mark."""
    indicator = selectors.page_status().indicator
    return HttpResponse(status_icon_ico(indicator), content_type="image/x-icon")
