"""Middleware of the project."""

from django.db import connection
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware

from incidents import audit_context
from notify.abuse import client_ip
from statuspage.console_sessions import signed_in_user
from statuspage.errors import (
    DATABASE_OUTAGES,
    database_unavailable,
    is_database_outage,
    not_found,
)
from statuspage.health import PROBE_VIEWS
from statuspage.public_cache import PUBLIC_MARK, served_from_memory

# Longer than any segment of our addresses (signed tokens are about 60 characters), and the
# longest file name most file systems take.
MAX_SEGMENT_LENGTH = 255


class ConsoleLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware for the console, leaving public responses alone.

    Public responses (statuspage.public_cache) choose their language themselves and set their own
    Content-Language and Vary; the stock middleware would add Vary: Accept-Language to the JSON
    API too, splitting every shared cache's entry by the clients' browser languages.
    """

    def process_response(self, request, response):
        if getattr(response, PUBLIC_MARK, False):
            return response
        return super().process_response(request, response)


class ProbeMiddleware:
    """Answer a GET or HEAD of /healthz or /readyz before anything checks the Host: a load
    balancer or Kubernetes probes each server by its address, which is not a host name the page
    is served under (ALLOWED_HOSTS). Their answers carry no address built from the Host, and
    /healthz asks for `/` by the page's own host name (statuspage.health)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        probe = PROBE_VIEWS.get(request.path_info)
        if probe is not None and request.method in ("GET", "HEAD"):
            return probe(request)
        return self.get_response(request)


class PublicPageMiddleware:
    """Answer a GET or HEAD of a public page this process holds in memory at once, before the
    session, CSRF, locale, authentication and message middleware run for a page that is the
    same for everyone (about half the cost of a cached hit). Anything else passes through."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD"):
            response = served_from_memory(request)
            if response is not None:
                return response
        return self.get_response(request)


class MalformedPathMiddleware:
    """Answer 404 for an address that no page of ours can have — a NUL or another control
    character, bytes that are not UTF-8, an overlong segment — before any view hands it to the
    database (PostgreSQL refuses NUL in text, which was a 500) or to a file name."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_malformed(request):
            return not_found(request)
        return self.get_response(request)


def is_malformed(request: HttpRequest) -> bool:
    path = request.path_info
    # Django turns bytes that are not UTF-8 into %XX escapes; no address of ours has a "%".
    if "%" in path or any(ord(char) < 0x20 or ord(char) == 0x7F for char in path):
        return True
    return any(len(segment) > MAX_SEGMENT_LENGTH for segment in path.split("/"))


class DatabaseOutageMiddleware:
    """Turn a view's lost, refused or timed-out database connection into the plain 503 page
    (statuspage.errors) instead of a 500; the console's pages check the connection first.
    Public pages that have a snapshot never get here: statuspage.public_cache serves it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The console needs the database for everything but its login form: show the outage
        # there too, rather than a form that cannot be sent.
        if request.path_info.startswith("/admin/"):
            try:
                connection.ensure_connection()
            except DATABASE_OUTAGES as error:
                return database_unavailable(request, error)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_database_outage(exception):
            return database_unavailable(request, exception)
        return None


# Where a request's writes come from, by the start of its path (the management API names its
# caller more precisely once it knows it); anything else is the public site, "web".
SOURCES_BY_PATH = (
    ("/admin/", audit_context.CONSOLE),
    ("/api/", audit_context.API),
    ("/twilio/", audit_context.TWILIO),
    ("/anymail/", audit_context.EMAIL_PROVIDER),
)


def request_source(request: HttpRequest) -> audit_context.AuditSource:
    """The request as the audit trail names its writes' source: how it came, the client's
    address (notify.abuse.client_ip: X-Forwarded-For only as far as NOROSHI_TRUSTED_PROXIES
    trusts it), and its signed-in member, looked up when a row is written."""
    path = request.path_info
    source = next((name for start, name in SOURCES_BY_PATH if path.startswith(start)), "web")

    def member():
        # An API key's user (DRF sets request.user), else a session's; a request without a
        # session cookie has its session left unread (no "Vary: Cookie" on a public page).
        user = getattr(request, "user", None)
        if getattr(request, "auth", None) is not None and user is not None:
            return user
        return signed_in_user(request)

    return audit_context.AuditSource(source=source, address=client_ip(request), member=member)


class AuditSourceMiddleware:
    """Make the request's source current for the audit rows of every write it makes (see
    incidents.audit_context), and give the previous one back when it is answered."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = audit_context.enter_source(request_source(request))
        try:
            return self.get_response(request)
        finally:
            audit_context.leave_source(token)
