"""Subscribers, of the page and of one incident: list and filter, count, create (double opt-in,
or already confirmed on an operator's word), read, unsubscribe (the row is kept), resend the
confirmation, and Statuspage's batch unsubscribe and reactivate.

Every write goes through notify's services. A subscriber asked to confirm is owed its message
as after a sign-up on the page (notify.services.subscribe), under the same per-address limits
(notify.abuse) but not the per-network one: an API key is throttled per key. A reader who may
not see personal data (a Viewer) gets addresses masked (notify.masking), and may search them
by the whole address only."""

from functools import cached_property

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from incidents.models import Incident
from incidents.representations import page_context
from notify import selectors
from notify import services as notify_services
from notify.choices import Channel
from notify.masking import may_see_personal_data
from notify.models import Subscriber
from statuspage.api_v1 import examples
from statuspage.api_v1.base import ManagementView
from statuspage.api_v1.errors import Unprocessable
from statuspage.api_v1.incidents import incident_or_404
from statuspage.api_v1.objects import management_subscriber
from statuspage.api_v1.schema import (
    COUNT,
    IDEMPOTENCY_KEY,
    LIST_PARAMETERS,
    READ_ERRORS,
    WRITE_ERRORS,
    SubscriberObject,
    errors,
)
from statuspage.api_v1.serializers import (
    MAX_BATCH,
    SUBSCRIBER_STATE_FILTERS,
    SUBSCRIBER_TYPES,
    SubscriberBatchRequest,
    SubscriberQuery,
    SubscriberRequest,
    validated,
)
from statuspage.api_v1.subscriber_requests import (
    add,
    listed,
    message_allowance,
    named_components,
    named_for_request,
)

READ = "notify.view_subscriber"
WRITE = "notify.change_subscriber"
SUBSCRIBER_PERMISSIONS = {"GET": READ, "POST": WRITE, "DELETE": WRITE}


def subscriber_objects(request: Request, rows) -> list[dict]:
    ctx, personal = page_context(), may_see_personal_data(request.user)
    return [management_subscriber(ctx, row, personal=personal) for row in rows]


class SubscriberView(ManagementView):
    """A resource under the page's subscribers, or under one incident's (`incident_id`)."""

    required_permissions = SUBSCRIBER_PERMISSIONS

    @cached_property
    def incident(self) -> Incident | None:
        incident_id = self.kwargs.get("incident_id")
        return None if incident_id is None else incident_or_404(incident_id)

    def subscriber(self, subscriber_id: str) -> Subscriber:
        incident = self.incident
        try:
            return selectors.subscriber_for_management(subscriber_id, incident=incident)
        except Subscriber.DoesNotExist:
            where = "this incident" if incident else "this page"
            raise NotFound(f"There is no subscriber “{subscriber_id}” of {where}.") from None

    def answer(self, request: Request, subscriber_id: str, *, code: int = 200) -> Response:
        [shown] = subscriber_objects(request, [self.subscriber(subscriber_id)])
        return Response(shown, status=code)


class SubscriberList(SubscriberView):
    """GET: the subscribers, filtered and ordered as asked (Statuspage's `q`, `type`, `state`,
    `sort_field`, `sort_direction`); the page's in pages of `limit` counted from 0, an
    incident's of `per_page` counted from 1, as Statuspage counts each. POST {"subscriber":
    {…}}: a new subscriber (201), or, for an address that has one (whatever it follows), that
    subscriber as it is (200) and its owner told, as after a sign-up on the page."""

    def get(self, request: Request, page_id: str, incident_id: str | None = None) -> Response:
        query = validated(SubscriberQuery, request.query_params)
        rows = listed(query, incident=self.incident, personal=may_see_personal_data(request.user))
        if incident_id is None:
            shown, headers = self.paginate(request, rows, size_parameter="limit", first_page=0)
        else:
            shown, headers = self.paginate(request, rows)
        return Response(subscriber_objects(request, shown), headers=headers)

    def post(self, request: Request, page_id: str, incident_id: str | None = None) -> Response:
        incident = self.incident
        fields = validated(SubscriberRequest, request.data)["subscriber"]
        components = named_components(fields, incident=incident)

        def create() -> Response:
            try:
                subscriber, created = add(request, fields, components, incident=incident)
            except DjangoValidationError as error:
                raise named_for_request(error, fields["field"]) from error
            return self.answer(request, subscriber.public_id, code=201 if created else 200)

        return self.write(request, create)


class SubscriberDetail(SubscriberView):
    """GET: one subscriber. DELETE: unsubscribe it, as Statuspage does: the row is kept (and
    answered, 200), so that what it was sent stays on record."""

    def get(self, request: Request, page_id: str, subscriber_id: str, **kwargs) -> Response:
        return self.answer(request, subscriber_id)

    def delete(self, request: Request, page_id: str, subscriber_id: str, **kwargs) -> Response:
        subscriber = self.subscriber(subscriber_id)

        def end() -> Response:
            notify_services.unsubscribe_many(subscribers=[subscriber], actor=request.user)
            return self.answer(request, subscriber_id)

        return self.write(request, end)


class ResendConfirmation(SubscriberView):
    """POST: ask an unconfirmed subscriber to confirm again (201, no body, as Statuspage
    answers); one message however often it is asked before it goes. 422 for a subscriber that
    is not waiting for its confirmation."""

    def post(self, request: Request, page_id: str, subscriber_id: str, **kwargs) -> Response:
        subscriber = self.subscriber(subscriber_id)

        def resend() -> Response:
            with message_allowance(subscriber.channel, subscriber.address):
                try:
                    notify_services.resend_confirmation(subscriber=subscriber, actor=request.user)
                except DjangoValidationError as error:
                    raise Unprocessable(" ".join(error.messages)) from error
            return Response(status=status.HTTP_201_CREATED)

        return self.write(request, resend)


class SubscriberBatch(ManagementView):
    """POST {"subscribers": "id1,id2" | [ids] | "all", "type": …, "state": …}: act on the
    subscribers named (of that type and state, when given) or, with "all", on those of the type
    and state (by default `default_state`), at most 100 (201 with the ids acted on)."""

    required_permissions = {"POST": WRITE}
    default_state = "active"

    def act(self, *, subscribers: list[Subscriber], actor) -> list[Subscriber]:
        raise NotImplementedError

    def post(self, request: Request, page_id: str) -> Response:
        body = validated(SubscriberBatchRequest, request.data)

        def act() -> Response:
            done = self.act(subscribers=batch(body, self.default_state), actor=request.user)
            body_out = {"subscribers": [subscriber.public_id for subscriber in done]}
            return Response(body_out, status=status.HTTP_201_CREATED)

        return self.write(request, act)


def batch(body: dict, default_state: str) -> list[Subscriber]:
    kind, state = body.get("type"), body.get("state")
    if body["subscribers"] == "all":
        if kind == "integration_partner":
            return []
        wanted = state or default_state
        matching = selectors.subscribers_for_management(
            state=None if wanted == "all" else wanted, channel=kind, order="created_at"
        )
        rows = list(matching[: MAX_BATCH + 1])
        if len(rows) > MAX_BATCH:
            raise Unprocessable(
                f"More than {MAX_BATCH} subscribers match: name them, {MAX_BATCH} at a time."
            )
        return rows
    found = selectors.subscribers_by_public_id(body["subscribers"])
    missing = [public_id for public_id in body["subscribers"] if public_id not in found]
    if missing:
        raise ValidationError({"subscribers": [f"There is no subscriber “{missing[0]}”."]})
    return [
        subscriber
        for subscriber in found.values()
        if kind in (None, subscriber.channel)
        and state in (None, "all", selectors.subscriber_state(subscriber))
    ]


class BatchUnsubscribe(SubscriberBatch):
    def act(self, *, subscribers: list[Subscriber], actor) -> list[Subscriber]:
        return notify_services.unsubscribe_many(subscribers=subscribers, actor=actor)


class BatchReactivate(SubscriberBatch):
    """Reactivate quarantined subscribers (Statuspage's: its only state for "all")."""

    default_state = "quarantined"

    def act(self, *, subscribers: list[Subscriber], actor) -> list[Subscriber]:
        return notify_services.reactivate(subscribers=subscribers, actor=actor)


class UnsubscribedList(ManagementView):
    """GET: the subscribers that unsubscribed, newest first (`page` from 1, `per_page`)."""

    required_permissions = {"GET": READ}

    def get(self, request: Request, page_id: str) -> Response:
        rows = selectors.subscribers_for_management(
            state="unsubscribed", order="created_at", descending=True
        )
        shown, headers = self.paginate(request, rows)
        return Response(subscriber_objects(request, shown), headers=headers)


class SubscriberCount(ManagementView):
    """GET: how many subscribers of a `type` and `state` (by default active): {"count": n}
    and, as Statuspage's SubscriberCountByType, the number of each type."""

    required_permissions = {"GET": READ}

    def get(self, request: Request, page_id: str) -> Response:
        query = validated(SubscriberQuery, request.query_params)
        kind, state = query.get("type"), query["state"]
        counts = selectors.subscriber_counts(
            state=None if state == "all" else state,
            channel=kind if kind in Channel.values else None,
        )
        if kind == "integration_partner":
            counts = dict.fromkeys(counts, 0)
        by_type = counts | {"integration_partner": 0}
        return Response({"count": sum(by_type.values()), **by_type})


class SubscriberHistogram(ManagementView):
    """GET: how many subscribers of each type are in each state (Statuspage's
    SubscriberCountByTypeAndState, with `unsubscribed` and a `total` besides)."""

    required_permissions = {"GET": READ}

    def get(self, request: Request, page_id: str) -> Response:
        histogram = selectors.subscriber_histogram()
        histogram["integration_partner"] = dict.fromkeys(selectors.SUBSCRIBER_STATES, 0)
        return Response(
            {kind: states | {"total": sum(states.values())} for kind, states in histogram.items()}
        )


# --- the OpenAPI description ----------------------------------------------------------------

TAGS = ["subscribers"]


SUBSCRIBER_OBJECT = SubscriberObject
LIST_QUERY = [
    OpenApiParameter("q", str, description="Text in the address (a Viewer: the whole address)."),
    OpenApiParameter("type", str, enum=list(SUBSCRIBER_TYPES)),
    OpenApiParameter("state", str, enum=list(SUBSCRIBER_STATE_FILTERS)),
    OpenApiParameter("sort_field", str, enum=list(selectors.SUBSCRIBER_ORDERS)),
    OpenApiParameter("sort_direction", str, enum=["asc", "desc"]),
    OpenApiParameter("limit", COUNT),
    OpenApiParameter("page", {**COUNT, "minimum": 0}, description="The page's list counts from 0."),
    OpenApiParameter("per_page", COUNT),
]
SUBSCRIBER_ANSWER = examples.response("Subscriber", examples.SUBSCRIBER)
extend_schema_view(
    get=extend_schema(
        tags=TAGS,
        summary="List subscribers, filtered and ordered",
        parameters=LIST_QUERY,
        responses={200: SUBSCRIBER_OBJECT(many=True), **READ_ERRORS, **errors(400)},
        examples=[examples.response("Subscribers", [examples.SUBSCRIBER])],
    ),
    post=extend_schema(
        tags=TAGS,
        summary="Add a subscriber (double opt-in, or confirmed on an operator's word)",
        parameters=[IDEMPOTENCY_KEY],
        request=SubscriberRequest,
        responses={
            200: SUBSCRIBER_OBJECT,
            201: SUBSCRIBER_OBJECT,
            **WRITE_ERRORS,
            **errors(503),
        },
        examples=[
            examples.NEW_SUBSCRIBER,
            examples.NEW_CONFIRMED,
            examples.response("New subscriber", examples.SUBSCRIBER, status=201),
            examples.response("Already subscribed, owner told", examples.SUBSCRIBER),
        ],
    ),
)(SubscriberList)
extend_schema_view(
    get=extend_schema(
        tags=TAGS,
        summary="Get a subscriber",
        responses={200: SUBSCRIBER_OBJECT, **READ_ERRORS},
        examples=[SUBSCRIBER_ANSWER],
    ),
    delete=extend_schema(
        tags=TAGS,
        summary="Unsubscribe (the subscriber is kept, unsubscribed)",
        parameters=[IDEMPOTENCY_KEY],
        responses={200: SUBSCRIBER_OBJECT, **WRITE_ERRORS},
        examples=[SUBSCRIBER_ANSWER],
    ),
)(SubscriberDetail)
extend_schema_view(
    post=extend_schema(
        tags=TAGS,
        summary="Send the confirmation again (once, however often asked before it goes)",
        parameters=[IDEMPOTENCY_KEY],
        request=None,
        responses={201: None, **WRITE_ERRORS, **errors(503)},
    )
)(ResendConfirmation)
for batch_view, what in ((BatchUnsubscribe, "Unsubscribe"), (BatchReactivate, "Reactivate")):
    extend_schema_view(
        post=extend_schema(
            tags=TAGS,
            summary=f"{what} subscribers named by id, or all of a type and state",
            parameters=[IDEMPOTENCY_KEY],
            request=SubscriberBatchRequest,
            responses={
                201: inline_serializer(
                    f"{what}Answer",
                    {"subscribers": serializers.ListField(child=serializers.CharField())},
                ),
                **WRITE_ERRORS,
            },
            examples=[
                examples.BATCH,
                examples.response("Done", {"subscribers": ["m4k2x9p1q7rz"]}, status=201),
            ],
        )
    )(batch_view)
extend_schema_view(
    get=extend_schema(
        tags=TAGS,
        summary="List unsubscribed subscribers",
        parameters=LIST_PARAMETERS,
        responses={200: SUBSCRIBER_OBJECT(many=True), **READ_ERRORS, **errors(400)},
        examples=[examples.response("Subscribers", [examples.SUBSCRIBER])],
    )
)(UnsubscribedList)
extend_schema_view(
    get=extend_schema(
        tags=TAGS,
        summary="Count subscribers (of a type and state), with counts by type",
        parameters=[
            OpenApiParameter("type", str, enum=list(SUBSCRIBER_TYPES)),
            OpenApiParameter("state", str, enum=list(SUBSCRIBER_STATE_FILTERS)),
        ],
        responses={
            200: inline_serializer("SubscriberCountObject", {"count": serializers.IntegerField()}),
            **READ_ERRORS,
            **errors(400),
        },
        examples=[examples.response("Count", examples.COUNT)],
    )
)(SubscriberCount)
extend_schema_view(
    get=extend_schema(
        tags=TAGS,
        summary="Subscribers counted by type and state",
        responses={
            200: inline_serializer(
                "SubscriberHistogramObject",
                {"email": serializers.DictField(child=serializers.IntegerField())},
            ),
            **READ_ERRORS,
        },
        examples=[examples.response("Histogram", examples.HISTOGRAM)],
    )
)(SubscriberHistogram)
