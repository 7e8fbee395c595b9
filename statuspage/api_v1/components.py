"""Components and component groups: list, create, read, update, delete (= archive: a
component's history is never erased), and each one's uptime over a window."""

from datetime import datetime, time, timedelta

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from incidents import selectors, services
from incidents.choices import StatusChangeSource
from incidents.models import Component, ComponentGroup
from incidents.representations import page_context
from incidents.uptime import component_segments, shown_percentage, window_figures
from statuspage.api_v1 import examples
from statuspage.api_v1.base import ManagementView, twin
from statuspage.api_v1.errors import Conflict
from statuspage.api_v1.objects import management_component, management_group
from statuspage.api_v1.schema import (
    IDEMPOTENCY_KEY,
    LIST_PARAMETERS,
    READ_ERRORS,
    WRITE_ERRORS,
    ComponentGroupObject,
    ComponentObject,
    ComponentUptimeObject,
    errors,
)
from statuspage.api_v1.serializers import (
    ComponentGroupRequest,
    ComponentRequest,
    changes_of,
    validated,
)

UPTIME_PARAMETERS = [
    OpenApiParameter("start", OpenApiTypes.DATE, description="First day (page's zone)."),
    OpenApiParameter("end", OpenApiTypes.DATE, description="Last day (page's zone)."),
]
# The window /uptime reports when none is asked: Statuspage's 90 days.
DEFAULT_UPTIME_DAYS = 90

COMPONENT_PERMISSIONS = {
    "GET": "incidents.view_component",
    "POST": "incidents.add_component",
    "PATCH": "incidents.change_component",
    "PUT": "incidents.change_component",
    "DELETE": "incidents.change_component",
}
GROUP_PERMISSIONS = {
    "GET": "incidents.view_componentgroup",
    "POST": "incidents.add_componentgroup",
    "PATCH": "incidents.change_componentgroup",
    "PUT": "incidents.change_componentgroup",
    "DELETE": "incidents.change_componentgroup",
}


def component_fields(fields: dict) -> dict:
    """The service's keyword arguments for the fields a request sent."""
    changes = {k: fields[k] for k in ("name", "showcase", "only_show_if_degraded") if k in fields}
    if "description" in fields:
        changes["description"] = fields["description"] or ""
    if "start_date" in fields:
        changes["start_date"] = fields["start_date"]
    if "group_id" in fields:
        changes["group"] = group_named(fields["group_id"])
    return changes


# What clients send to take a component out of its group (the generated clients drop a real
# null, and Statuspage's documentation tells them to send the word).
NO_GROUP = frozenset({"", "null", "none"})


def group_named(public_id: str | None) -> ComponentGroup | None:
    if public_id is None or public_id.strip().lower() in NO_GROUP:
        return None
    group = selectors.group_by_public_id(public_id)
    if group is None:
        raise ValidationError({"group_id": [f"There is no component group “{public_id}”."]})
    return group


def component_or_404(component_id: str) -> Component:
    try:
        return selectors.component_for_management(component_id)
    except Component.DoesNotExist:
        raise NotFound(f"There is no component “{component_id}” on this page.") from None


def group_or_404(group_id: str) -> ComponentGroup:
    try:
        return selectors.group_for_management(group_id)
    except ComponentGroup.DoesNotExist:
        raise NotFound(f"There is no component group “{group_id}” on this page.") from None


class ComponentList(ManagementView):
    required_permissions = COMPONENT_PERMISSIONS

    @extend_schema(
        tags=["components"],
        summary="List components",
        parameters=LIST_PARAMETERS,
        responses={200: ComponentObject(many=True), **READ_ERRORS, **errors(400)},
        examples=[examples.response("Components", [examples.COMPONENT])],
    )
    def get(self, request: Request, page_id: str) -> Response:
        rows, headers = self.paginate(request, selectors.components_for_management())
        ctx = page_context()
        return Response([management_component(ctx, c) for c in rows], headers=headers)

    @extend_schema(
        tags=["components"],
        summary="Create a component",
        parameters=[IDEMPOTENCY_KEY],
        request=ComponentRequest,
        responses={201: ComponentObject, **WRITE_ERRORS},
        examples=[
            examples.NEW_COMPONENT,
            examples.response("Component", examples.COMPONENT, status=201),
        ],
    )
    def post(self, request: Request, page_id: str) -> Response:
        fields = validated(ComponentRequest, request.data)["component"]

        def create() -> Response:
            component = services.create_component(
                actor=request.user,
                status=fields.get("status", "operational"),
                **component_fields(fields),
            )
            return Response(
                management_component(page_context(), component), status=status.HTTP_201_CREATED
            )

        return self.write(request, create)


class ComponentDetail(ManagementView):
    required_permissions = COMPONENT_PERMISSIONS

    @extend_schema(
        tags=["components"],
        summary="Get a component",
        responses={200: ComponentObject, **READ_ERRORS},
        examples=[examples.response("Component", examples.COMPONENT)],
    )
    def get(self, request: Request, page_id: str, component_id: str) -> Response:
        return Response(management_component(page_context(), component_or_404(component_id)))

    @extend_schema(
        tags=["components"],
        summary="Update a component (a new status is recorded and announced)",
        parameters=[IDEMPOTENCY_KEY],
        request=changes_of(ComponentRequest),
        responses={200: ComponentObject, **WRITE_ERRORS},
        examples=[examples.SET_STATUS, examples.response("Component", examples.COMPONENT)],
    )
    def patch(self, request: Request, page_id: str, component_id: str) -> Response:
        component = component_or_404(component_id)
        fields = validated(ComponentRequest, request.data, partial=True).get("component", {})

        def edit() -> Response:
            changes = component_fields(fields)
            if "status" in fields:
                changes["status"] = fields["status"]
            services.edit_component(
                component=component, actor=request.user, source=StatusChangeSource.API, **changes
            )
            return Response(management_component(page_context(), component_or_404(component_id)))

        return self.write(request, edit)

    put = twin(patch, summary="Replace a component (as PATCH)", tags=["components"])

    @extend_schema(
        tags=["components"],
        summary="Delete a component: archive it, keeping its history",
        parameters=[IDEMPOTENCY_KEY],
        responses={204: None, **WRITE_ERRORS, **errors(409)},
    )
    def delete(self, request: Request, page_id: str, component_id: str) -> Response:
        component = component_or_404(component_id)

        def archive() -> Response:
            try:
                services.archive_component(component=component, actor=request.user)
            except DjangoValidationError as error:
                raise Conflict(" ".join(error.messages)) from error
            return Response(status=status.HTTP_204_NO_CONTENT)

        return self.write(request, archive)


class ComponentUptime(ManagementView):
    required_permissions = {"GET": "incidents.view_component"}

    @extend_schema(
        tags=["components"],
        summary="A component's uptime over a window",
        parameters=UPTIME_PARAMETERS,
        responses={200: ComponentUptimeObject, **READ_ERRORS, **errors(400)},
        examples=[examples.response("Uptime", examples.UPTIME)],
    )
    def get(self, request: Request, page_id: str, component_id: str) -> Response:
        component = component_or_404(component_id)
        start, end = uptime_window(request)
        return Response(uptime_object(component, [component], start, end))


class GroupUptime(ManagementView):
    required_permissions = {"GET": "incidents.view_componentgroup"}

    @extend_schema(
        tags=["component groups"],
        summary="A group's uptime over a window (the mean of its components')",
        parameters=UPTIME_PARAMETERS,
        responses={200: ComponentUptimeObject, **READ_ERRORS, **errors(400)},
        examples=[examples.response("Uptime", examples.UPTIME)],
    )
    def get(self, request: Request, page_id: str, group_id: str) -> Response:
        group = group_or_404(group_id)
        start, end = uptime_window(request)
        members = [c for c in group.components.all() if c.archived_at is None]
        return Response(uptime_object(group, members, start, end))


def uptime_window(request: Request) -> tuple[datetime, datetime]:
    """[start, end) from the `start` and `end` dates asked (YYYY-MM-DD, whole days in the page's
    zone), by default the last 90 days up to now."""
    zone = selectors.page_time_zone()
    now = timezone.now()
    bounds = {}
    for name in ("start", "end"):
        raw = request.query_params.get(name, "")
        if not raw:
            continue
        try:
            day = datetime.strptime(raw, "%Y-%m-%d").date()
        except ValueError:
            raise ValidationError({name: [f"Give a date as YYYY-MM-DD, not “{raw}”."]}) from None
        if name == "end":
            day += timedelta(days=1)
        bounds[name] = datetime.combine(day, time.min, tzinfo=zone)
    end = min(bounds.get("end", now), now)
    start = bounds.get("start", end - timedelta(days=DEFAULT_UPTIME_DAYS))
    if start >= end:
        raise ValidationError({"start": ["The window must start before it ends (and before now)."]})
    return start, end


def uptime_object(
    subject: Component | ComponentGroup, members: list[Component], start: datetime, end: datetime
) -> dict:
    """How `members` fared over [start, end): one component's figures, or a group's — the mean
    uptime of its members and the longest outage any of them had."""
    ids = [member.pk for member in members]
    segments = component_segments(ids, start=start, end=end)
    figures = [window_figures(segments[pk], start, end) for pk in ids]
    percentages = [f.uptime_percentage for f in figures if f.uptime_percentage is not None]
    percentage = sum(percentages) / len(percentages) if percentages else None
    seen: dict[str, str] = {}
    for _, public_id, name, *_ in selectors.incidents_touching(ids, since=start, until=end):
        seen.setdefault(public_id, name)
    related = [{"id": public_id, "name": name} for public_id, name in seen.items()]
    ctx = page_context()
    return {
        "id": subject.public_id,
        "name": subject.name,
        "range_start": ctx.time(start),
        "range_end": ctx.time(end),
        "uptime_percentage": None if percentage is None else shown_percentage(percentage, 4),
        "major_outage": max((f.major_outage_minutes * 60 for f in figures), default=0),
        "partial_outage": max((f.partial_outage_minutes * 60 for f in figures), default=0),
        "warnings": [] if percentage is not None else ["No status history in this window."],
        "related_events": {"count": len(related), "incidents": related},
    }


class GroupList(ManagementView):
    required_permissions = GROUP_PERMISSIONS

    @extend_schema(
        tags=["component groups"],
        summary="List component groups",
        parameters=LIST_PARAMETERS,
        responses={200: ComponentGroupObject(many=True), **READ_ERRORS, **errors(400)},
        examples=[examples.response("Groups", [examples.GROUP])],
    )
    def get(self, request: Request, page_id: str) -> Response:
        rows, headers = self.paginate(request, selectors.groups_for_management())
        ctx = page_context()
        return Response([group_response(ctx, g) for g in rows], headers=headers)

    @extend_schema(
        tags=["component groups"],
        summary="Create a component group",
        parameters=[IDEMPOTENCY_KEY],
        request=ComponentGroupRequest,
        responses={201: ComponentGroupObject, **WRITE_ERRORS},
        examples=[examples.NEW_GROUP, examples.response("Group", examples.GROUP, status=201)],
    )
    def post(self, request: Request, page_id: str) -> Response:
        body = validated(ComponentGroupRequest, request.data)
        fields = body["component_group"]

        def create() -> Response:
            group = services.create_component_group(
                actor=request.user, **group_fields(fields, description=body.get("description"))
            )
            move_into(group, fields["components"], actor=request.user)
            return Response(
                group_response(page_context(), group_or_404(group.public_id)),
                status=status.HTTP_201_CREATED,
            )

        return self.write(request, create)


class GroupDetail(ManagementView):
    required_permissions = GROUP_PERMISSIONS

    @extend_schema(
        tags=["component groups"],
        summary="Get a component group",
        responses={200: ComponentGroupObject, **READ_ERRORS},
        examples=[examples.response("Group", examples.GROUP)],
    )
    def get(self, request: Request, page_id: str, group_id: str) -> Response:
        return Response(group_response(page_context(), group_or_404(group_id)))

    @extend_schema(
        tags=["component groups"],
        summary="Update a component group (its `components` become exactly its members)",
        parameters=[IDEMPOTENCY_KEY],
        request=changes_of(ComponentGroupRequest),
        responses={200: ComponentGroupObject, **WRITE_ERRORS},
        examples=[examples.NEW_GROUP, examples.response("Group", examples.GROUP)],
    )
    def patch(self, request: Request, page_id: str, group_id: str) -> Response:
        group = group_or_404(group_id)
        body = validated(ComponentGroupRequest, request.data, partial=True)
        fields = body.get("component_group", {})

        def edit() -> Response:
            changes = group_fields(fields, description=body.get("description"))
            services.edit_component_group(group=group, actor=request.user, **changes)
            if "components" in fields:
                move_into(group, fields["components"], actor=request.user)
            return Response(group_response(page_context(), group_or_404(group_id)))

        return self.write(request, edit)

    put = twin(patch, summary="Replace a component group (as PATCH)", tags=["component groups"])

    @extend_schema(
        tags=["component groups"],
        summary="Delete a component group (its components stay, ungrouped)",
        description="Answers with the group as it was, as Statuspage does.",
        parameters=[IDEMPOTENCY_KEY],
        responses={200: ComponentGroupObject, **WRITE_ERRORS},
        examples=[examples.response("Deleted group", examples.GROUP)],
    )
    def delete(self, request: Request, page_id: str, group_id: str) -> Response:
        group = group_or_404(group_id)

        def delete() -> Response:
            as_it_was = group_response(page_context(), group)
            services.delete_component_group(group=group, actor=request.user)
            return Response(as_it_was)

        return self.write(request, delete)


def group_fields(fields: dict, *, description: str | None) -> dict:
    changes = {k: fields[k] for k in ("name", "position") if k in fields}
    if "description" in fields or description is not None:
        changes["description"] = fields.get("description", description) or ""
    return changes


def move_into(group: ComponentGroup, component_ids: list[str], *, actor) -> None:
    """Make `component_ids` exactly the group's members; the others leave it, ungrouped."""
    found = selectors.components_by_public_id(component_ids)
    missing = [public_id for public_id in component_ids if public_id not in found]
    if missing:
        raise ValidationError({"components": [f"There is no component “{missing[0]}”."]})
    for component in found.values():
        if component.group_id != group.pk:
            services.edit_component(component=component, actor=actor, group=group)
    for component in group.components.filter(archived_at__isnull=True):
        if component.public_id not in found:
            services.edit_component(component=component, actor=actor, group=None)


def group_response(ctx, group: ComponentGroup) -> dict:
    members = [c for c in group.components.all() if c.archived_at is None]
    return management_group(ctx, group, members)
