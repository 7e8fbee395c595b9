"""The public 404: the page's own look and language, never cached."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from incidents.models import PageSettings
from statuspage.views.context import public_context


def not_found(request: HttpRequest, page: PageSettings) -> HttpResponse:
    """A 404 page (public_response serves it as is: only 200s are cached)."""
    context = public_context(request, page, section="")
    return render(request, "statuspage/not_found.html", context, status=404)
