"""What every management endpoint shares: the page in the path, the role's permission per
method, request envelopes, idempotent writes, pagination with Link headers."""

import hashlib
import json
from collections.abc import Callable, Sequence
from typing import cast
from urllib.parse import urlencode

from django.db import transaction
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from incidents import selectors, services
from incidents.models.incidents import Incident, IncidentQuerySet
from statuspage.api_v1.errors import Unprocessable, exception_handler
from statuspage.api_v1.parsers import NestedFormParser

# The largest page number or size a list is asked for (a larger one would overflow the
# database's OFFSET, and no list is that long).
MAX_NUMBER = 1_000_000
# The names a list's page size goes by.
SIZES = ("per_page", "limit")
WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})
# The request header a client names a write with, so that a retry is answered, not repeated.
IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_IDEMPOTENCY_KEY = 255
# Incidents the public may not see (alerts' drafts, discarded ones) are shown to the roles that
# may act on them, and to no other: for any other role they do not exist.
DRAFTS_PERMISSION = "incidents.change_incident"


class RolePermission(permissions.BasePermission):
    """The permission each method of the view names in `required_permissions` (a Viewer's
    role holds only view permissions, so every write is 403 for it)."""

    message = "Your role may not do this."

    def has_permission(self, request, view) -> bool:
        if not hasattr(view, request.method.lower()):
            return True  # the view answers 405: no such method here, whoever asks
        needed = view.required_permissions.get(request.method)
        if needed is None and request.method in ("HEAD", "OPTIONS"):
            needed = view.required_permissions.get("GET")
        if needed is None:
            return False
        self.message = f"Your role may not do this (it needs the {needed} permission)."
        return request.user.has_perm(needed)


class ManagementView(APIView):
    """A resource under /api/v1/pages/{page_id}/. Subclasses name the permission of each
    method in `required_permissions` and wrap their writes in `self.write(request, …)`."""

    permission_classes = (permissions.IsAuthenticated, RolePermission)
    parser_classes = (JSONParser, NestedFormParser)
    renderer_classes = (JSONRenderer,)
    required_permissions: dict[str, str] = {}

    def get_exception_handler(self):
        return exception_handler

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        page_id = kwargs.get("page_id")
        if page_id is not None and page_id != selectors.page_settings().public_id:
            raise NotFound(f"There is no page “{page_id}” here.")
        incident_id = kwargs.get("incident_id") or ""
        if incident_id and self.hides_drafts(request) and selectors.incident_is_hidden(incident_id):
            raise NotFound(f"There is no incident “{incident_id}” on this page.")

    def hides_drafts(self, request: Request) -> bool:
        return not request.user.has_perm(DRAFTS_PERMISSION)

    def visible(self, request: Request, rows: QuerySet | Sequence) -> QuerySet | Sequence:
        """The rows of a list that `request`'s role may see (see DRAFTS_PERMISSION)."""
        if isinstance(rows, QuerySet) and rows.model is Incident and self.hides_drafts(request):
            return cast(IncidentQuerySet, rows).public()
        return rows

    # --- idempotent writes -------------------------------------------------------------------

    def write(self, request: Request, perform: Callable[[], Response]) -> Response:
        """Run `perform` in one transaction; with an Idempotency-Key, answer a retry with the
        first response and refuse the same key with another request (422). An error leaves
        nothing written, the key included."""
        key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
        if len(key) > MAX_IDEMPOTENCY_KEY:
            raise ValidationError(
                {IDEMPOTENCY_HEADER: [f"Use at most {MAX_IDEMPOTENCY_KEY} characters."]}
            )
        if not key:
            with transaction.atomic():
                return perform()
        owner = f"api:{request.user.pk}"
        fingerprint = request_fingerprint(request)
        with transaction.atomic():
            claim = services.claim_idempotency_key(owner=owner, key=key, fingerprint=fingerprint)
            if claim is not None:
                response = perform()
                services.record_idempotent_result(
                    claim, response={"status": response.status_code, "body": response.data}
                )
                return response
        return replay(owner=owner, key=key, fingerprint=fingerprint)

    # --- lists -------------------------------------------------------------------------------

    def paginate(
        self,
        request: Request,
        rows: QuerySet | Sequence,
        *,
        size_parameter: str = "per_page",
        default_size: int = 100,
        max_size: int = 100,
        first_page: int = 1,
    ) -> tuple[list, dict[str, str]]:
        """One page of `rows`, as far as the role may see them (`page` counts from
        `first_page`: 1, or 0 where Statuspage counts so), and the Link header to its
        neighbours."""
        page = positive_int(request, "page", default=first_page, minimum=first_page)
        # Statuspage names the page size `per_page` on some lists and `limit` on others:
        # either is read (and checked) on every list, the list's own name first.
        sizes = [positive_int(request, name, default=0) for name in (size_parameter, *SIZES)]
        size = min(next((n for n in sizes if n), default_size), max_size)
        start = (page - first_page) * size
        window = list(self.visible(request, rows)[start : start + size + 1])
        has_next = len(window) > size
        links = []
        base = request.build_absolute_uri(request.path)
        query = {k: v for k, v in request.query_params.items() if k != "page"}

        def link(number: int, rel: str) -> str:
            return f'<{base}?{urlencode({**query, "page": number})}>; rel="{rel}"'

        links.append(link(first_page, "first"))
        if page > first_page:
            links.append(link(page - 1, "prev"))
        if has_next:
            links.append(link(page + 1, "next"))
        return window[:size], {"Link": ", ".join(links)}


def positive_int(
    request: Request, name: str, *, default: int, minimum: int = 1, maximum: int = MAX_NUMBER
) -> int:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        value = minimum - 1
    if not minimum <= value <= maximum:
        raise ValidationError(
            {name: [f"Give a whole number from {minimum} to {maximum}, not “{raw}”."]}
        )
    return value


def request_fingerprint(request: Request) -> str:
    """What was asked: the method, the path and the body, as one digest."""
    asked = {"method": request.method, "path": request.path, "body": request.data}
    text = json.dumps(asked, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def replay(*, owner: str, key: str, fingerprint: str) -> Response:
    claim = selectors.idempotency_key(owner=owner, key=key)
    if claim is None or claim.response is None:
        # Claimed by the console's own forms under the same key space: never for the API.
        raise Unprocessable(f"The {IDEMPOTENCY_HEADER} “{key}” cannot be used here.")
    if claim.fingerprint != fingerprint:
        raise Unprocessable(
            f"The {IDEMPOTENCY_HEADER} “{key}” was already used with a different request; "
            "send a new key for a new request."
        )
    response = Response(claim.response["body"], status=claim.response["status"])
    response["Idempotent-Replayed"] = "true"
    return response


def twin(handler: Callable, *, summary: str, tags: list[str]) -> Callable:
    """`handler` under a second HTTP method (PUT as PATCH), documented as the first with its own
    summary. extend_schema changes the function it is given, so the twin is a function of its
    own; otherwise the first method's summary would be lost."""

    def method(self, request, *args, **kwargs):
        return handler(self, request, *args, **kwargs)

    method.__doc__ = handler.__doc__
    method.kwargs = dict(getattr(handler, "kwargs", {}))  # type: ignore[attr-defined]
    return extend_schema(summary=summary, tags=tags)(method)
