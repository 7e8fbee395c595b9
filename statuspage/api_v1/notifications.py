"""What was announced and how it went (Noroshi's own resources, in Statuspage's style): each
notification with its deliveries counted by state, one notification's deliveries (addresses
masked), and the kill switch that stops every message at once."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from incidents.representations import PageContext, page_context
from notify import selectors as notify_selectors
from notify import services as notify_services
from notify.choices import Channel, DeliveryState
from notify.models import Delivery, Notification, SendingSwitch, masked
from statuspage.api_v1 import examples
from statuspage.api_v1.base import ManagementView
from statuspage.api_v1.incidents import incident_or_404
from statuspage.api_v1.schema import (
    IDEMPOTENCY_KEY,
    LIST_PARAMETERS,
    READ_ERRORS,
    WRITE_ERRORS,
    errors,
    text,
)
from statuspage.api_v1.serializers import Flag, Text, validated


def notification_object(ctx: PageContext, row: Notification, states: dict[str, int]) -> dict:
    change = row.component_change
    return {
        "id": str(row.pk),
        "kind": row.kind,
        "incident_id": row.incident.public_id if row.incident else None,
        "incident_update_id": row.update.public_id if row.update else None,
        "component_id": change.component.public_id if change else None,
        "channels": row.channels,
        "created_at": ctx.time(row.created_at),
        "fanned_out_at": ctx.time(row.fanned_out_at),
        "delivery_count": row.delivery_count,
        "deliveries_by_state": {state: states.get(state, 0) for state in DeliveryState.values},
    }


def delivery_object(ctx: PageContext, row: Delivery) -> dict:
    return {
        "id": str(row.pk),
        "subscriber_id": row.subscriber.public_id,
        "channel": row.channel,
        "address": masked(row.subscriber.address),
        "state": row.state,
        "attempts": row.attempts,
        "attempted_at": ctx.time(row.attempted_at),
        "finished_at": ctx.time(row.finished_at),
        "error": row.error or None,
    }


def switch_object(ctx: PageContext, switch: SendingSwitch) -> dict:
    return {
        "paused": switch.paused,
        "reason": switch.reason or None,
        "changed_at": ctx.time(switch.changed_at) if switch.pk else None,
        "changed_by": switch.changed_by.get_username() if switch.changed_by else None,
    }


class NotificationObject(serializers.Serializer):
    id = text()
    kind = text()
    incident_id = text(allow_null=True)
    incident_update_id = text(allow_null=True)
    component_id = text(allow_null=True)
    channels = serializers.ListField(child=serializers.CharField(), read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    fanned_out_at = serializers.DateTimeField(read_only=True, allow_null=True)
    delivery_count = serializers.IntegerField(read_only=True)
    deliveries_by_state = serializers.DictField(child=serializers.IntegerField(), read_only=True)


class DeliveryObject(serializers.Serializer):
    id = text()
    subscriber_id = text()
    channel = text()
    address = text(help_text="Masked: enough to recognise it, not to use it.")
    state = serializers.ChoiceField(DeliveryState.values, read_only=True)
    attempts = serializers.IntegerField(read_only=True)
    attempted_at = serializers.DateTimeField(read_only=True, allow_null=True)
    finished_at = serializers.DateTimeField(read_only=True, allow_null=True)
    error = text(allow_null=True)


class SwitchObject(serializers.Serializer):
    paused = serializers.BooleanField(read_only=True)
    reason = text(allow_null=True)
    changed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    changed_by = text(allow_null=True)


class PauseFields(serializers.Serializer):
    reason = Text(max_length=500)


class PauseRequest(serializers.Serializer):
    sending_switch = PauseFields()


def notification_or_404(notification_id: str) -> Notification:
    row = notify_selectors.notification_by_id(int(notification_id))
    if row is None:
        raise NotFound(f"There is no notification “{notification_id}”.")
    return row


class NotificationList(ManagementView):
    required_permissions = {"GET": "notify.view_notification"}

    @extend_schema(
        tags=["notifications"],
        summary="List notifications with their deliveries counted by state",
        parameters=[
            OpenApiParameter("incident_id", OpenApiTypes.STR, description="Only this incident's."),
            *LIST_PARAMETERS,
        ],
        responses={200: NotificationObject(many=True), **READ_ERRORS, **errors(400)},
        examples=[examples.response("Notifications", [examples.NOTIFICATION])],
    )
    def get(self, request: Request, page_id: str) -> Response:
        incident_id = request.query_params.get("incident_id", "")
        incident = incident_or_404(incident_id) if incident_id else None
        rows, headers = self.paginate(request, notify_selectors.notifications(incident=incident))
        states = notify_selectors.delivery_states_of([row.pk for row in rows])
        ctx = page_context()
        return Response(
            [notification_object(ctx, row, states[row.pk]) for row in rows], headers=headers
        )


class NotificationDetail(ManagementView):
    required_permissions = {"GET": "notify.view_notification"}

    @extend_schema(
        tags=["notifications"],
        summary="Get a notification with its deliveries counted by state",
        responses={200: NotificationObject, **READ_ERRORS},
        examples=[examples.response("Notification", examples.NOTIFICATION)],
    )
    def get(self, request: Request, page_id: str, notification_id: str) -> Response:
        row = notification_or_404(notification_id)
        states = notify_selectors.delivery_states_of([row.pk])[row.pk]
        return Response(notification_object(page_context(), row, states))


class NotificationDeliveries(ManagementView):
    required_permissions = {"GET": "notify.view_delivery"}

    @extend_schema(
        tags=["notifications"],
        summary="List a notification's deliveries (addresses masked)",
        parameters=[
            OpenApiParameter("state", OpenApiTypes.STR, enum=DeliveryState.values),
            OpenApiParameter("channel", OpenApiTypes.STR, enum=Channel.values),
            *LIST_PARAMETERS,
        ],
        responses={200: DeliveryObject(many=True), **READ_ERRORS, **errors(400)},
        examples=[examples.response("Deliveries", [examples.DELIVERY])],
    )
    def get(self, request: Request, page_id: str, notification_id: str) -> Response:
        row = notification_or_404(notification_id)
        state = request.query_params.get("state", "")
        channel = request.query_params.get("channel", "")
        if state and state not in DeliveryState.values:
            raise ValidationError({"state": [f"Use one of {', '.join(DeliveryState.values)}."]})
        if channel and channel not in Channel.values:
            raise ValidationError({"channel": [f"Use one of {', '.join(Channel.values)}."]})
        rows = notify_selectors.deliveries_of(row.pk, state=state, channel=channel)
        page, headers = self.paginate(request, rows)
        ctx = page_context()
        return Response([delivery_object(ctx, d) for d in page], headers=headers)


class SendingSwitchView(ManagementView):
    required_permissions = {"GET": "notify.view_sendingswitch"}

    @extend_schema(
        tags=["kill switch"],
        summary="Is sending paused?",
        responses={200: SwitchObject, **READ_ERRORS},
        examples=[examples.response("Kill switch", examples.SWITCH)],
    )
    def get(self, request: Request, page_id: str) -> Response:
        return Response(switch_object(page_context(), notify_selectors.sending_switch()))


class PauseSending(ManagementView):
    required_permissions = {"POST": "notify.change_sendingswitch"}

    @extend_schema(
        tags=["kill switch"],
        summary="Throw the kill switch: no message leaves after it",
        parameters=[IDEMPOTENCY_KEY],
        request=PauseRequest,
        responses={200: SwitchObject, **WRITE_ERRORS},
        examples=[examples.PAUSE, examples.response("Kill switch", examples.SWITCH)],
    )
    def post(self, request: Request, page_id: str) -> Response:
        reason = validated(PauseRequest, request.data)["sending_switch"]["reason"]

        def pause() -> Response:
            switch = notify_services.pause_sending(actor=request.user, reason=reason)
            return Response(switch_object(page_context(), switch))

        return self.write(request, pause)


class ResumeSending(ManagementView):
    required_permissions = {"POST": "notify.change_sendingswitch"}

    @extend_schema(
        tags=["kill switch"],
        summary="Resume sending where it stopped (nothing is sent twice)",
        parameters=[IDEMPOTENCY_KEY],
        request=None,
        responses={200: SwitchObject, **WRITE_ERRORS},
        examples=[examples.response("Kill switch", examples.SWITCH)],
    )
    def post(self, request: Request, page_id: str) -> Response:
        def resume() -> Response:
            switch = notify_services.resume_sending(actor=request.user)
            return Response(switch_object(page_context(), switch))

        return self.write(request, resume)


class SwitchChangeRequest(serializers.Serializer):
    paused = Flag()
    reason = Text(max_length=500, required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if attrs["paused"] and not attrs["reason"].strip():
            raise serializers.ValidationError({"reason": ["Say why sending is paused."]})
        return attrs


class SendingSwitchShortcut(ManagementView):
    """/api/v1/sending-switch, outside the page (the first form of the kill switch, kept for
    the scripts that use it): GET reads it; POST {"paused": true, "reason": "…"} throws it,
    {"paused": false} resumes."""

    required_permissions = {
        "GET": "notify.view_sendingswitch",
        "POST": "notify.change_sendingswitch",
    }

    @extend_schema(
        tags=["kill switch"],
        summary="Is sending paused? (outside the page)",
        responses={200: SwitchObject, **READ_ERRORS},
        examples=[examples.response("Kill switch", examples.SWITCH)],
    )
    def get(self, request: Request) -> Response:
        return Response(switch_object(page_context(), notify_selectors.sending_switch()))

    @extend_schema(
        tags=["kill switch"],
        summary="Throw or release the kill switch (outside the page)",
        parameters=[IDEMPOTENCY_KEY],
        request=SwitchChangeRequest,
        responses={200: SwitchObject, **WRITE_ERRORS},
        examples=[
            examples.request("Pause", {"paused": True, "reason": "A wrong template went out."}),
            examples.request("Resume", {"paused": False}),
            examples.response("Kill switch", examples.SWITCH),
        ],
    )
    def post(self, request: Request) -> Response:
        change = validated(SwitchChangeRequest, request.data)

        def throw() -> Response:
            if change["paused"]:
                switch = notify_services.pause_sending(actor=request.user, reason=change["reason"])
            else:
                switch = notify_services.resume_sending(actor=request.user)
            return Response(switch_object(page_context(), switch))

        return self.write(request, throw)
