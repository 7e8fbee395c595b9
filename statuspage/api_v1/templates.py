"""Incident templates: the team's canned wording (the console's update templates), listed and
created as Statuspage's `incident_templates`."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from incidents import selectors, services
from incidents.choices import IncidentKind, MaintenanceStatus
from incidents.models import UpdateTemplate
from statuspage.api_v1 import examples
from statuspage.api_v1.base import ManagementView
from statuspage.api_v1.schema import (
    IDEMPOTENCY_KEY,
    LIST_PARAMETERS,
    READ_ERRORS,
    WRITE_ERRORS,
    errors,
    text,
)
from statuspage.api_v1.serializers import POSTABLE_STATUSES, Flag, Text, status_choice, validated

TEMPLATE_PERMISSIONS = {
    "GET": "incidents.view_updatetemplate",
    "POST": "incidents.add_updatetemplate",
}


def template_object(template: UpdateTemplate) -> dict:
    return {
        "id": str(template.pk),
        "components": [],
        "name": template.name,
        "title": template.title,
        "body": template.body,
        "group_id": None,
        "update_status": template.status or None,
        "should_tweet": False,
        "should_send_notifications": True,
    }


class TemplateFields(serializers.Serializer):
    name = Text(max_length=100)
    title = Text(max_length=200, allow_blank=True, required=False)
    body = Text()
    update_status = status_choice(POSTABLE_STATUSES, required=False, allow_null=True)
    # Noroshi's own: the Japanese wording.
    title_ja = Text(max_length=200, allow_blank=True, required=False)
    body_ja = Text(allow_blank=True, required=False)
    group_id = Text(allow_null=True, allow_blank=True, required=False)
    should_tweet = Flag(required=False)
    should_send_notifications = Flag(required=False)
    component_ids = serializers.ListField(child=Text(), required=False)


class TemplateRequest(serializers.Serializer):
    template = TemplateFields()


class TemplateObject(serializers.Serializer):
    id = text()
    components = serializers.ListField(child=serializers.DictField(), read_only=True)
    name = text()
    title = text()
    body = text()
    group_id = text(allow_null=True)
    update_status = text(allow_null=True)
    should_tweet = serializers.BooleanField(read_only=True)
    should_send_notifications = serializers.BooleanField(read_only=True)


class TemplateList(ManagementView):
    required_permissions = TEMPLATE_PERMISSIONS

    @extend_schema(
        tags=["incident templates"],
        summary="List incident templates",
        parameters=LIST_PARAMETERS,
        responses={200: TemplateObject(many=True), **READ_ERRORS, **errors(400)},
        examples=[examples.response("Templates", [examples.TEMPLATE])],
    )
    def get(self, request: Request, page_id: str) -> Response:
        rows, headers = self.paginate(request, selectors.update_templates())
        return Response([template_object(t) for t in rows], headers=headers)

    @extend_schema(
        tags=["incident templates"],
        summary="Create an incident template",
        parameters=[IDEMPOTENCY_KEY],
        request=TemplateRequest,
        responses={201: TemplateObject, **WRITE_ERRORS},
        examples=[
            examples.NEW_TEMPLATE,
            examples.response("Template", examples.TEMPLATE, status=201),
        ],
    )
    def post(self, request: Request, page_id: str) -> Response:
        fields = validated(TemplateRequest, request.data)["template"]
        status_value = fields.get("update_status") or ""
        kind = (
            IncidentKind.MAINTENANCE
            if status_value in MaintenanceStatus.values
            else IncidentKind.INCIDENT
        )

        def create() -> Response:
            template = services.save_update_template(
                actor=request.user,
                name=fields["name"],
                kind=kind,
                status=status_value,
                title=fields.get("title", ""),
                title_ja=fields.get("title_ja", ""),
                body=fields["body"],
                body_ja=fields.get("body_ja", ""),
            )
            return Response(template_object(template), status=status.HTTP_201_CREATED)

        return self.write(request, create)
