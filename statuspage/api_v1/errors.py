"""Errors in Statuspage's shape, `{"error": "…"}` with the right status code, plus a `fields`
map naming each bad field and what was expected (Noroshi's addition: Statuspage clients read
`error` and ignore the rest)."""

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class Conflict(exceptions.APIException):
    """A request the resource's state refuses (409): deleting what history keeps, archiving a
    component an open incident uses."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The resource's state refuses this request."
    default_code = "conflict"


class Unprocessable(exceptions.APIException):
    """A well-formed request that cannot be carried out (422): an idempotency key reused with
    another request."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "This request cannot be carried out."
    default_code = "unprocessable"


def field_messages(detail, prefix: str = "") -> dict[str, str]:
    """DRF's nested error detail flattened to {"field.sub": "message; message"}."""
    if isinstance(detail, dict):
        flat: dict[str, str] = {}
        for key, value in detail.items():
            name = key if key == "non_field_errors" or not prefix else f"{prefix}.{key}"
            flat.update(field_messages(value, name if key != "non_field_errors" else prefix))
        return flat
    if isinstance(detail, list) and detail and all(not isinstance(d, dict | list) for d in detail):
        return {prefix: " ".join(str(d) for d in detail)}
    if isinstance(detail, list):
        flat = {}
        for index, item in enumerate(detail):
            flat.update(field_messages(item, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    return {prefix: str(detail)}


def validation_body(fields: dict[str, str]) -> dict:
    """The first message leads (as Statuspage's single `error` string), every one is kept."""
    named = [f"{name}: {message}" if name else message for name, message in fields.items()]
    body: dict = {"error": "; ".join(named) or "The request is not valid."}
    named_fields = {name: message for name, message in fields.items() if name}
    if named_fields:
        body["fields"] = named_fields
    return body


def from_django(error: DjangoValidationError) -> exceptions.ValidationError:
    """A service's ValidationError as DRF's, its field names kept."""
    if not hasattr(error, "error_dict"):
        return exceptions.ValidationError({"non_field_errors": [" ".join(error.messages)]})
    return exceptions.ValidationError(
        {
            "non_field_errors" if field == "__all__" else field: [" ".join(messages)]
            for field, messages in error.message_dict.items()
        }
    )


def exception_handler(error, context) -> Response | None:
    """DRF's handler, then every body rewritten into {"error": …, "fields": …}."""
    if isinstance(error, DjangoValidationError):
        error = from_django(error)
    elif isinstance(error, ObjectDoesNotExist):
        error = exceptions.NotFound()
    elif isinstance(error, DjangoPermissionDenied):
        error = exceptions.PermissionDenied()
    response = drf_exception_handler(error, context)
    if response is None:
        return None
    if isinstance(error, exceptions.ValidationError):
        response.data = validation_body(field_messages(error.detail))
    elif isinstance(error, exceptions.NotFound | Http404):
        response.data = {"error": str(getattr(error, "detail", "")) or "Not found."}
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
        response.data = {"error": str(detail) or str(error)}
    return response


@csrf_exempt  # a stray POST is told 404 in JSON, not refused by the CSRF check in HTML
def no_such_endpoint(request: HttpRequest, *args, **kwargs) -> JsonResponse:
    """Any other address under /api/v1/: a 404 in the API's shape, not the site's HTML page."""
    return JsonResponse(
        {"error": f"There is no endpoint {request.path} (see /api/v1/docs/)."}, status=404
    )
