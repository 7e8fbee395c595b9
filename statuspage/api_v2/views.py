"""The /api/v2 views: GET and HEAD only, JSON bodies from statuspage.api_v2.documents.

Each view is cached whole by @public_response (CORS open, ETag/304, Cache-Control); anything
but GET or HEAD gets 405. They are CSRF-exempt so that a stray POST is told 405, not 403: they
never write.
"""

import json
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from statuspage.api_v2 import documents
from statuspage.public_cache import public_response

CONTENT_TYPE = "application/json; charset=utf-8"
# Only an explicit ?lang= switches the text: clients written for Statuspage send
# Accept-Language from the browser and expect the page's own wording.
TRANSLATED_LANGUAGES = frozenset({"ja"})


def json_response(body: dict) -> HttpResponse:
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return HttpResponse(text.encode(), content_type=CONTENT_TYPE)


def requested_language(request: HttpRequest) -> str | None:
    language = request.GET.get("lang", "")
    return language if language in TRANSLATED_LANGUAGES else None


def endpoint(document: Callable[..., dict]) -> Callable[[HttpRequest], HttpResponse]:
    """A cached, CORS-open, GET/HEAD-only view answering with `document(language=…)`."""

    @csrf_exempt
    @public_response(cors=True, negotiate_language=False)
    @require_safe
    def view(request: HttpRequest) -> HttpResponse:
        return json_response(document(language=requested_language(request)))

    view.__name__ = view.__qualname__ = document.__name__
    view.__doc__ = document.__doc__
    return view


summary = endpoint(documents.summary)
status = endpoint(documents.status)
components = endpoint(documents.components)
incidents = endpoint(documents.incidents)
unresolved_incidents = endpoint(documents.unresolved_incidents)
scheduled_maintenances = endpoint(documents.scheduled_maintenances)
upcoming_maintenances = endpoint(documents.upcoming_maintenances)
active_maintenances = endpoint(documents.active_maintenances)
