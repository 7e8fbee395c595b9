"""What the subscriber endpoints do with a request, apart from answering it: the subscribers a
list query names, the components a new subscriber follows, the service call that adds it, one
unit of the address's limits for a message the request makes owed, and a service's
ValidationError under the request's own field names."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.exceptions import APIException, Throttled, ValidationError
from rest_framework.request import Request

from incidents import selectors as incident_selectors
from incidents.models import Component, Incident
from notify import abuse, addresses, selectors
from notify import services as notify_services
from notify.choices import ConsentSource
from notify.models import Subscriber

# A service's field names, as the request names them (the address is the contact field sent).
REQUEST_FIELDS = {"components": "component_ids", "language": "language", "__all__": None}


class LimitsUnavailable(APIException):
    """The per-address limits could not be read: nothing is sent while nobody can say whether
    an address has had its share (they fail closed, as on the subscribe page)."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = abuse.LimitsUnavailable.message
    wait = abuse.LimitsUnavailable.retry_after


@contextmanager
def message_allowance(channel: str, address: str) -> Iterator[None]:
    """One unit of the address's limits for a message the body makes owed (429 with
    Retry-After when its share is spent; given back when the body fails)."""
    try:
        with abuse.signup_allowance(ip=None, channel=channel, address=address):
            yield
    except abuse.SignupLimited as limited:
        raise Throttled(wait=limited.retry_after, detail=str(limited.message)) from None
    except abuse.LimitsUnavailable:
        raise LimitsUnavailable() from None


def listed(query: dict, *, incident: Incident | None, personal: bool):
    if query.get("type") == "integration_partner":
        return Subscriber.objects.none()
    return selectors.subscribers_for_management(
        state=None if query["state"] == "all" else query["state"],
        channel=query.get("type"),
        incident=incident,
        search=query["q"].strip(),
        whole_address=not personal,
        order=query["sort_field"],
        descending=query["sort_direction"] == "desc",
    )


def named_components(fields: dict, *, incident: Incident | None) -> list[Component]:
    ids = fields.get("component_ids", [])
    if ids and incident is not None:
        raise ValidationError(
            {"subscriber": {"component_ids": ["A subscriber of one incident follows it whole."]}}
        )
    found = incident_selectors.components_by_public_id(ids)
    missing = [public_id for public_id in ids if public_id not in found]
    if missing:
        raise ValidationError(
            {"subscriber": {"component_ids": [f"There is no component “{missing[0]}”."]}}
        )
    return [found[public_id] for public_id in dict.fromkeys(ids)]


def add(
    request: Request, fields: dict, components: list[Component], *, incident: Incident | None
) -> tuple[Subscriber, bool]:
    """The subscriber the request asks for, and whether it is new."""
    common = {
        "channel": fields["channel"],
        "language": fields["language"],
        "components": components,
        "incident": incident,
        "ip": abuse.client_ip(request) or None,
    }
    if fields["skip_confirmation_notification"]:
        subscriber = notify_services.subscribe_confirmed(
            address=fields["address"], actor=request.user, **common
        )
        return subscriber, True
    address = addresses.normalised_address(fields["channel"], fields["address"])
    known = selectors.has_subscription(channel=fields["channel"], address=address)
    with message_allowance(fields["channel"], address):
        subscriber = notify_services.subscribe(
            address=address, source=ConsentSource.API_UNCONFIRMED, **common
        )
    return subscriber, not known


def named_for_request(error: DjangoValidationError, contact: str) -> ValidationError:
    """A service's ValidationError under the names of the request's fields (the address and
    the channel are the contact field it was sent in)."""
    if not hasattr(error, "error_dict"):
        return ValidationError({"subscriber": {"non_field_errors": error.messages}})
    named: dict[str, list[str]] = {}
    for name, messages in error.message_dict.items():
        field = REQUEST_FIELDS.get(name, contact) or "non_field_errors"
        named.setdefault(field, []).extend(messages)
    return ValidationError({"subscriber": named})
