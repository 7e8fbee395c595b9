"""Alerts in (Noroshi's own): the addresses monitoring posts alerts to, and the two steps of an
alert's draft, publish and discard.

`POST /api/v1/integrations/alertmanager/{token}` (Prometheus Alertmanager's webhook, version 4)
and `POST /api/v1/integrations/generic/{token}` (Grafana alerting's webhook, or a title and a
state) take no API key: the token in the address is the credential, checked against the
integration's digest in constant time; an unknown, wrong or disabled one is a 404, as any
unknown address. `POST …/incidents/{incident_id}/publish` and `…/discard` need the On-call
role's permission to change incidents."""

import logging

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import permissions, serializers
from rest_framework.exceptions import NotFound
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from incidents import audit_context, selectors, services
from incidents.alert_tokens import prefix_of
from incidents.choices import IntegrationKind
from incidents.models import Incident
from statuspage.api_v1 import examples
from statuspage.api_v1.alert_payloads import (
    AlertmanagerPayload,
    GenericPayload,
    alertmanager_delivery,
    generic_delivery,
)
from statuspage.api_v1.base import ManagementView
from statuspage.api_v1.errors import exception_handler
from statuspage.api_v1.incidents import incident_or_404, incident_response
from statuspage.api_v1.schema import IDEMPOTENCY_KEY, WRITE_ERRORS, IncidentObject, errors

logger = logging.getLogger(__name__)


class ReceiptObject(serializers.Serializer):
    alerts = serializers.IntegerField(read_only=True, help_text="Alerts in the body.")
    new = serializers.IntegerField(
        read_only=True, help_text="Alert states not received before (0: a repeat, nothing done)."
    )
    incident_id = serializers.CharField(
        read_only=True, allow_null=True, help_text="The incident the alerts went to."
    )
    opened = serializers.BooleanField(read_only=True, help_text="They opened a new draft.")


RECEIPT = {"alerts": 2, "new": 2, "incident_id": examples.INCIDENT_ID, "opened": True}
ALERTMANAGER_BODY = {
    "version": "4",
    "groupKey": '{}:{alertname="HighLatency"}',
    "truncatedAlerts": 0,
    "status": "firing",
    "receiver": "noroshi",
    "groupLabels": {"alertname": "HighLatency"},
    "commonLabels": {"alertname": "HighLatency", "service": "api"},
    "commonAnnotations": {"summary": "API latency is high"},
    "externalURL": "http://alertmanager:9093",
    "alerts": [
        {
            "status": "firing",
            "labels": {"alertname": "HighLatency", "service": "api", "instance": "api-1"},
            "annotations": {"summary": "API latency is high"},
            "startsAt": "2026-12-05T09:30:00Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://prometheus:9090/graph",
            "fingerprint": "5f2a9c1d7e3b4a60",
        }
    ],
}
GENERIC_BODY = {
    "title": "Checkout errors above 5%",
    "state": "alerting",
    "message": "Checkout error rate is 7.2% over 5 minutes.",
    "labels": {"service": "checkout"},
}


class IntegrationWebhook(APIView):
    """An integration's address: the token authenticates, the body is read by `read`."""

    authentication_classes = ()
    permission_classes = (permissions.AllowAny,)
    parser_classes = (JSONParser,)
    renderer_classes = (JSONRenderer,)
    kind = IntegrationKind.ALERTMANAGER
    read = staticmethod(alertmanager_delivery)

    def get_exception_handler(self):
        return exception_handler

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code >= 400:
            # Django's request log would write the path, token and all: written here instead,
            # with the token cut to its prefix.
            response._has_been_logged = True
            token = kwargs.get("token", "")
            path = request.path.replace(token, f"{prefix_of(token)}…") if token else request.path
            logger.warning("%s: %s", response.reason_phrase, path)
        return response

    def post(self, request: Request, token: str) -> Response:
        integration = selectors.integration_for_token(token, kind=type(self).kind)
        if integration is None:
            raise NotFound("There is no alert integration at this address.")
        audit_context.narrow_source(f"alerts {integration.name}")
        delivery = type(self).read(request.data)
        receipt = services.receive_alerts(integration=integration, delivery=delivery)
        incident = receipt.incident
        return Response(
            {
                "alerts": len(delivery.alerts),
                "new": receipt.new_states,
                "incident_id": incident.public_id if incident else None,
                "opened": receipt.opened,
            }
        )


def webhook_schema(kind: str, request, example: dict):
    return extend_schema(
        tags=["alerts in"],
        summary=f"Receive alerts ({IntegrationKind(kind).label})",
        description=(
            "The token in the address is the credential (no API key). A group's first firing "
            "alerts open one draft incident, not public, announced to nobody; later ones are "
            "noted on it; a repeated body changes nothing."
        ),
        auth=[],
        request=request,
        responses={200: ReceiptObject, **errors(400, 404)},
        examples=[
            OpenApiExample("Alerts", value=example, request_only=True),
            examples.response("Received", RECEIPT),
        ],
    )


class AlertmanagerWebhook(IntegrationWebhook):
    kind = IntegrationKind.ALERTMANAGER
    read = staticmethod(alertmanager_delivery)
    post = webhook_schema(kind, AlertmanagerPayload, ALERTMANAGER_BODY)(IntegrationWebhook.post)


class GenericWebhook(IntegrationWebhook):
    kind = IntegrationKind.GENERIC
    read = staticmethod(generic_delivery)
    post = webhook_schema(kind, GenericPayload, GENERIC_BODY)(IntegrationWebhook.post)


class NoBody(serializers.Serializer):
    """Nothing needs to be sent; an envelope sent anyway is ignored."""

    incident = serializers.DictField(required=False, help_text="Ignored.")


class DraftStep(ManagementView):
    """Publish or discard an alert's draft (idempotent: a second call changes nothing)."""

    required_permissions = {"POST": "incidents.change_incident"}

    def take_step(self, incident: Incident, actor) -> bool:
        raise NotImplementedError

    def post(self, request: Request, page_id: str, incident_id: str) -> Response:
        incident = incident_or_404(incident_id)
        NoBody(data=request.data).is_valid(raise_exception=True)

        def write() -> Response:
            self.take_step(incident, request.user)
            return incident_response(incident_id)

        return self.write(request, write)


def draft_step_schema(summary: str, description: str):
    return extend_schema(
        tags=["incidents"],
        summary=summary,
        description=description,
        parameters=[IDEMPOTENCY_KEY],
        request=NoBody,
        responses={200: IncidentObject, **WRITE_ERRORS},
        examples=[examples.NO_BODY, examples.response("Incident", examples.INCIDENT)],
    )


class PublishDraft(DraftStep):
    def take_step(self, incident: Incident, actor) -> bool:
        return services.publish_draft(incident=incident, actor=actor)

    post = draft_step_schema(
        "Publish an alert's draft (Noroshi)",
        "The draft becomes public and its first update is announced to subscribers, once; an "
        "incident already public is answered as it is. A discarded draft is refused.",
    )(DraftStep.post)


class DiscardDraft(DraftStep):
    def take_step(self, incident: Incident, actor) -> bool:
        return services.discard_draft(incident=incident, actor=actor)

    post = draft_step_schema(
        "Discard an alert's draft (Noroshi)",
        "The draft is kept, never public, announced to nobody; the components it holds "
        "return to operational unless a firing alert or an open incident holds them. A "
        "public incident is refused: resolve it instead.",
    )(DraftStep.post)
