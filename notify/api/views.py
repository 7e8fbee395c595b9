"""The notifications' management API: the kill switch, for scripts and chat-ops as well as the
console. An API key or the console's session authenticates (statuspage.api_v1.authentication);
changing the switch needs the same permission as in the console (notify.change_sendingswitch,
given to the On-call and Owner groups)."""

from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from notify import selectors, services
from notify.api.serializers import SendingSwitchChangeSerializer, SendingSwitchSerializer


class CanThrowKillSwitch(permissions.BasePermission):
    message = "Changing the kill switch needs the notify.change_sendingswitch permission."

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return request.user.has_perm("notify.view_sendingswitch")
        return request.user.has_perm("notify.change_sendingswitch")


class SendingSwitchView(APIView):
    """GET: is sending paused? POST {"paused": true, "reason": "…"} throws the kill switch (no
    message leaves after it); POST {"paused": false} resumes where sending stopped."""

    permission_classes = (permissions.IsAuthenticated, CanThrowKillSwitch)

    @extend_schema(responses=SendingSwitchSerializer)
    def get(self, request: Request) -> Response:
        return Response(SendingSwitchSerializer(selectors.sending_switch()).data)

    @extend_schema(request=SendingSwitchChangeSerializer, responses=SendingSwitchSerializer)
    def post(self, request: Request) -> Response:
        change = SendingSwitchChangeSerializer(data=request.data)
        change.is_valid(raise_exception=True)
        if change.validated_data["paused"]:
            switch = services.pause_sending(
                actor=request.user, reason=change.validated_data["reason"]
            )
        else:
            switch = services.resume_sending(actor=request.user)
        return Response(SendingSwitchSerializer(switch).data)
