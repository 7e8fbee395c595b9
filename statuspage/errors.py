"""The answers given when Noroshi cannot do what was asked: a plain "temporarily unavailable"
page (503, Retry-After) while the database is unreachable, a plain error page (500) for
anything else, and the 404 of a malformed address.

None of them touches the database, the cache or the session: they must render while those are
down. The public side answers in the visitor's language (chosen as the public pages choose it,
statuspage.languages.public_language); the console and the management API in English, and
the JSON APIs in JSON.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from incidents.metrics import DEPENDENCY_ERRORS
from statuspage.languages import public_language

logger = logging.getLogger(__name__)

# What a lost, refused or timed-out connection raises (psycopg and sqlite3 alike); an
# IntegrityError or a ProgrammingError is a bug, not an outage, and stays a 500.
DATABASE_OUTAGES = (OperationalError, InterfaceError)
# Seconds a client is asked to wait: a restart or fail-over of the database takes about this.
RETRY_AFTER_SECONDS = 30
CONSOLE_PREFIXES = ("/admin/", "/api/v1/")

UNAVAILABLE = (
    _("Temporarily unavailable"),
    _(
        "This page cannot be shown right now: a service it needs is not answering. "
        "Nothing is wrong with your request; please try again in a minute."
    ),
)
SERVER_ERROR = (
    _("Something went wrong"),
    _("This page could not be shown because of an error on our side. Please try again."),
)
NOT_FOUND = (
    _("Page not found"),
    _(
        "There is no page at this address. It may have been mistyped, or the incident it named "
        "does not exist."
    ),
)


def is_database_outage(error: BaseException | None) -> bool:
    return isinstance(error, DATABASE_OUTAGES)


def database_unavailable(request: HttpRequest, error: BaseException) -> HttpResponse:
    """The 503 answered while the database is unreachable; counts and logs the outage in one
    line (its traceback says nothing an operator needs)."""
    DEPENDENCY_ERRORS.labels(dependency="database").inc()
    logger.warning(
        "Database unavailable for %s %s: %s", request.method, request.path, type(error).__name__
    )
    response = error_page(request, 503, *UNAVAILABLE)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the 503 page when the error was the database's absence (raised outside a
    view, e.g. saving the session), else a plain 500 page."""
    error = sys.exc_info()[1]
    if is_database_outage(error):
        assert error is not None
        return database_unavailable(request, error)
    return error_page(request, 500, *SERVER_ERROR)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The 404 of an address no pattern takes (or a malformed one); no query, no template
    that needs the page's settings."""
    return error_page(request, 404, *NOT_FOUND)


def error_page(request: HttpRequest, status: int, heading, message) -> HttpResponse:
    """A plain page (JSON under /api/) in the visitor's language, never cached."""
    language = answer_language(request)
    with translation.override(language):
        heading, message = str(heading), str(message)
        if request.path.startswith("/api/v1/"):
            # The management API's shape, as Statuspage's: {"error": "…"}.
            response: HttpResponse = JsonResponse({"error": message}, status=status)
        elif request.path.startswith("/api/"):
            response = JsonResponse(
                {"error": {"status": status, "title": heading, "detail": message}}, status=status
            )
        else:
            html = render_to_string(
                "statuspage/error.html",
                {"language": language, "heading": heading, "message": message},
            )
            response = HttpResponse(html, status=status)
    response["Content-Language"] = language
    response["Cache-Control"] = "no-store"
    return response


def answer_language(request: HttpRequest) -> str:
    if request.path.startswith(CONSOLE_PREFIXES):
        return "en"
    return public_language(request, negotiate=not request.path.startswith("/api/"))
