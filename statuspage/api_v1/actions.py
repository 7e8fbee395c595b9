"""Recovery actions (Noroshi's own resource, in Statuspage's style): an incident's follow-up
work with owners and due dates, listed across incidents (open, overdue), created, changed and
moved through their states (start, complete, decline with a reason, reopen)."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from incidents import selectors, services
from incidents.choices import UNFINISHED_ACTION_STATES, ActionKind, ActionPriority, ActionState
from incidents.models import RecoveryAction
from incidents.representations import PageContext, page_context
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
from statuspage.api_v1.serializers import Flag, Text, changes_of, status_choice, validated

ACTION_PERMISSIONS = {
    "GET": "incidents.view_recoveryaction",
    "POST": "incidents.add_recoveryaction",
    "PATCH": "incidents.change_recoveryaction",
    "PUT": "incidents.change_recoveryaction",
}
# ?state= of the page-wide list.
LIST_STATES = ("overdue", "all", *ActionState.values)


def action_object(ctx: PageContext, action: RecoveryAction) -> dict:
    today = timezone.localdate()
    return {
        "id": action.public_id,
        "incident_id": action.incident.public_id,
        "kind": action.kind,
        "title": action.title,
        "title_ja": action.title_ja,
        "description": action.description,
        "owner": action.owner.get_username() if action.owner else None,
        "due_on": action.due_on.isoformat() if action.due_on else None,
        "priority": action.priority,
        "state": action.state,
        "overdue": bool(
            action.due_on and action.due_on < today and action.state in UNFINISHED_ACTION_STATES
        ),
        "wont_do_reason": action.wont_do_reason or None,
        "tracker_url": action.tracker_url or None,
        "components": [c.public_id for c in action.components.all()],
        "public": action.public,
        "completed_at": ctx.time(action.completed_at),
        "created_at": ctx.time(action.created_at),
        "updated_at": ctx.time(action.updated_at),
    }


class ActionFields(serializers.Serializer):
    title = Text(max_length=200)
    kind = status_choice(ActionKind.values)
    title_ja = Text(max_length=200, allow_blank=True, required=False)
    description = Text(allow_blank=True, required=False)
    owner = Text(allow_null=True, required=False, help_text="A username.")
    due_on = serializers.DateField(allow_null=True, required=False)
    priority = status_choice(ActionPriority.values, required=False)
    tracker_url = Text(allow_blank=True, required=False)
    component_ids = serializers.ListField(child=Text(), required=False)
    public = Flag(required=False)


class ActionRequest(serializers.Serializer):
    recovery_action = ActionFields()


class StepFields(serializers.Serializer):
    reason = Text(allow_blank=True, required=False)
    completed_at = serializers.DateTimeField(required=False)


class StepRequest(serializers.Serializer):
    recovery_action = StepFields(required=False)


class ActionObject(serializers.Serializer):
    id = text()
    incident_id = text()
    kind = serializers.ChoiceField(ActionKind.values, read_only=True)
    title = text()
    title_ja = text()
    description = text()
    owner = text(allow_null=True)
    due_on = serializers.DateField(read_only=True, allow_null=True)
    priority = serializers.ChoiceField(ActionPriority.values, read_only=True)
    state = serializers.ChoiceField(ActionState.values, read_only=True)
    overdue = serializers.BooleanField(read_only=True)
    wont_do_reason = text(allow_null=True)
    tracker_url = text(allow_null=True)
    components = serializers.ListField(child=serializers.CharField(), read_only=True)
    public = serializers.BooleanField(read_only=True)
    completed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


def action_fields(fields: dict) -> dict:
    """The service's keyword arguments for what a request sent."""
    changes = {
        k: fields[k]
        for k in ("title", "kind", "title_ja", "description", "due_on", "priority", "public")
        if k in fields
    }
    if "tracker_url" in fields:
        changes["tracker_url"] = fields["tracker_url"]
    if "owner" in fields:
        changes["owner"] = owner_named(fields["owner"])
    if "component_ids" in fields:
        found = selectors.components_by_public_id(fields["component_ids"])
        missing = [i for i in fields["component_ids"] if i not in found]
        if missing:
            raise ValidationError({"component_ids": [f"There is no component “{missing[0]}”."]})
        changes["components"] = list(found.values())
    return changes


def owner_named(username: str | None):
    if not username:
        return None
    owner = selectors.member_by_username(username)
    if owner is None:
        raise ValidationError({"owner": [f"There is no console member “{username}”."]})
    return owner


def action_or_404(incident, action_id: str) -> RecoveryAction:
    try:
        return selectors.action_of_incident(incident, action_id)
    except RecoveryAction.DoesNotExist:
        raise NotFound(f"This incident has no recovery action “{action_id}”.") from None


class PageActions(ManagementView):
    required_permissions = {"GET": "incidents.view_recoveryaction"}

    @extend_schema(
        tags=["recovery actions"],
        summary="List recovery actions across incidents",
        parameters=[
            OpenApiParameter(
                "state", OpenApiTypes.STR, enum=list(LIST_STATES), description="Default: open."
            ),
            *LIST_PARAMETERS,
        ],
        responses={200: ActionObject(many=True), **READ_ERRORS, **errors(400)},
        examples=[examples.response("Recovery actions", [examples.ACTION])],
    )
    def get(self, request: Request, page_id: str) -> Response:
        state = request.query_params.get("state", "open")
        if state not in LIST_STATES:
            raise ValidationError({"state": [f"Use one of {', '.join(LIST_STATES)}."]})
        if state == "open":
            rows = selectors.open_actions()
        elif state == "overdue":
            rows = selectors.overdue_actions(timezone.localdate())
        else:
            rows = selectors.all_actions()
            if state != "all":
                rows = rows.filter(state=state)
        page, headers = self.paginate(request, rows.prefetch_related("components"))
        ctx = page_context()
        return Response([action_object(ctx, a) for a in page], headers=headers)


class IncidentActions(ManagementView):
    required_permissions = ACTION_PERMISSIONS

    @extend_schema(
        tags=["recovery actions"],
        summary="List an incident's recovery actions",
        responses={200: ActionObject(many=True), **READ_ERRORS},
        examples=[examples.response("Recovery actions", [examples.ACTION])],
    )
    def get(self, request: Request, page_id: str, incident_id: str) -> Response:
        incident = incident_or_404(incident_id)
        ctx = page_context()
        return Response([action_object(ctx, a) for a in selectors.incident_actions(incident)])

    @extend_schema(
        tags=["recovery actions"],
        summary="Record a recovery action of an incident",
        parameters=[IDEMPOTENCY_KEY],
        request=ActionRequest,
        responses={201: ActionObject, **WRITE_ERRORS},
        examples=[examples.NEW_ACTION, examples.response("Action", examples.ACTION, status=201)],
    )
    def post(self, request: Request, page_id: str, incident_id: str) -> Response:
        incident = incident_or_404(incident_id)
        fields = validated(ActionRequest, request.data)["recovery_action"]

        def create() -> Response:
            action = services.create_recovery_action(
                incident=incident, actor=request.user, **action_fields(fields)
            )
            body = action_object(page_context(), action_or_404(incident, action.public_id))
            return Response(body, status=status.HTTP_201_CREATED)

        return self.write(request, create)


class IncidentAction(ManagementView):
    required_permissions = ACTION_PERMISSIONS

    @extend_schema(
        tags=["recovery actions"],
        summary="Get a recovery action",
        responses={200: ActionObject, **READ_ERRORS},
        examples=[examples.response("Action", examples.ACTION)],
    )
    def get(self, request: Request, page_id: str, incident_id: str, action_id: str) -> Response:
        action = action_or_404(incident_or_404(incident_id), action_id)
        return Response(action_object(page_context(), action))

    @extend_schema(
        tags=["recovery actions"],
        summary="Change a recovery action (owner, due date, priority, text, tracker link)",
        parameters=[IDEMPOTENCY_KEY],
        request=changes_of(ActionRequest),
        responses={200: ActionObject, **WRITE_ERRORS},
        examples=[examples.EDIT_ACTION, examples.response("Action", examples.ACTION)],
    )
    def patch(self, request: Request, page_id: str, incident_id: str, action_id: str):
        incident = incident_or_404(incident_id)
        action = action_or_404(incident, action_id)
        fields = validated(ActionRequest, request.data, partial=True).get("recovery_action", {})

        def edit() -> Response:
            services.edit_recovery_action(
                action=action, actor=request.user, **action_fields(fields)
            )
            return Response(action_object(page_context(), action_or_404(incident, action_id)))

        return self.write(request, edit)


class ActionStep(ManagementView):
    required_permissions = {"PUT": "incidents.change_recoveryaction"}
    step = ""

    def put(self, request: Request, page_id: str, incident_id: str, action_id: str):
        incident = incident_or_404(incident_id)
        action = action_or_404(incident, action_id)
        fields = validated(StepRequest, request.data).get("recovery_action", {})

        def move() -> Response:
            actor = request.user
            step = type(self).step
            if step == "start":
                services.start_recovery_action(action=action, actor=actor)
            elif step == "complete":
                services.complete_recovery_action(
                    action=action, actor=actor, completed_at=fields.get("completed_at")
                )
            elif step == "decline":
                services.decline_recovery_action(
                    action=action, actor=actor, reason=fields.get("reason", "")
                )
            elif step == "reopen":
                services.reopen_recovery_action(action=action, actor=actor)
            return Response(action_object(page_context(), action_or_404(incident, action_id)))

        return self.write(request, move)


def action_step(step: str, summary: str, example) -> type[ActionStep]:
    documented = extend_schema(
        tags=["recovery actions"],
        summary=summary,
        parameters=[IDEMPOTENCY_KEY],
        request=StepRequest,
        responses={200: ActionObject, **WRITE_ERRORS},
        examples=[example, examples.response("Action", examples.ACTION)],
    )(ActionStep.put)
    return type(f"Action_{step}", (ActionStep,), {"step": step, "put": documented})


StartAction = action_step("start", "Start a recovery action", examples.NO_BODY)
CompleteAction = action_step("complete", "Mark a recovery action done", examples.COMPLETE_ACTION)
DeclineAction = action_step(
    "decline", "Decline a recovery action (won't do), saying why", examples.DECLINE_ACTION
)
ReopenAction = action_step("reopen", "Reopen a done or declined action", examples.NO_BODY)
