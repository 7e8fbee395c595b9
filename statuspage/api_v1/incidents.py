"""Incidents and scheduled maintenance (Statuspage keeps both as incidents): lists, create
(declare, backfill a past incident, or schedule a window), read, update (a new status, body or
component statuses posts an update, announced as usual), and delete, which is refused: the
history of what a page said is kept."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from incidents import selectors, services
from incidents.choices import (
    CLOSED_INCIDENT_STATUSES,
    UNRESOLVED_INCIDENT_STATUSES,
    IncidentStatus,
    MaintenanceStatus,
)
from incidents.models import Component, Incident
from incidents.representations import page_context
from incidents.update_wording import standard_update_text
from statuspage.api_v1 import examples
from statuspage.api_v1.base import ManagementView, twin
from statuspage.api_v1.errors import Conflict
from statuspage.api_v1.objects import management_incident
from statuspage.api_v1.schema import (
    IDEMPOTENCY_KEY,
    LIMIT,
    LIST_PARAMETERS,
    PAGE_NUMBER,
    QUERY,
    READ_ERRORS,
    WRITE_ERRORS,
    IncidentObject,
    errors,
)
from statuspage.api_v1.serializers import IncidentRequest, changes_of, validated

INCIDENT_PERMISSIONS = {
    "GET": "incidents.view_incident",
    "POST": "incidents.add_incident",
    "PATCH": "incidents.change_incident",
    "PUT": "incidents.change_incident",
    "DELETE": "incidents.change_incident",
}
# Statuspage reminds subscribers an hour before a window when `scheduled_remind_prior` is set.
DEFAULT_REMIND_MINUTES = 60
# Fields that, sent in a PATCH, post an update to the timeline.
UPDATE_FIELDS = frozenset({"status", "body", "body_ja", "components", "component_ids"})


def incident_or_404(incident_id: str) -> Incident:
    try:
        return selectors.incident_for_management(incident_id)
    except Incident.DoesNotExist:
        raise NotFound(f"There is no incident “{incident_id}” on this page.") from None


def incident_response(incident_id: str, *, created: bool = False) -> Response:
    body = management_incident(page_context(), incident_or_404(incident_id))
    return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def component_statuses(fields: dict) -> dict[Component, str]:
    """The statuses asked for (`components`: {id: status}) and the components only named
    (`component_ids`: they join the incident as they are)."""
    asked = fields.get("components", {})
    named = fields.get("component_ids", [])
    found = selectors.components_by_public_id([*asked, *named])
    for field, ids in (("components", list(asked)), ("component_ids", named)):
        missing = [public_id for public_id in ids if public_id not in found]
        if missing:
            raise ValidationError({field: [f"There is no component “{missing[0]}” on this page."]})
    statuses = {found[public_id]: found[public_id].status for public_id in named}
    statuses.update({found[public_id]: new for public_id, new in asked.items()})
    return statuses


def texts(fields: dict, status_value: str) -> dict:
    """The update's body and Japanese body; a status sent alone gets its default wording."""
    body, body_ja = fields.get("body", ""), fields.get("body_ja", "")
    if not body.strip():
        standard = standard_update_text(status_value)
        body, body_ja = standard.body, body_ja or standard.body_ja
    return {"body": body, "body_ja": body_ja}


def is_maintenance_request(fields: dict) -> bool:
    return fields.get("status") in MaintenanceStatus.values or "scheduled_for" in fields


class IncidentList(ManagementView):
    required_permissions = INCIDENT_PERMISSIONS

    @extend_schema(
        tags=["incidents"],
        summary="List incidents and maintenance, newest first",
        parameters=[QUERY, LIMIT, PAGE_NUMBER],
        responses={200: IncidentObject(many=True), **READ_ERRORS, **errors(400)},
        examples=[examples.response("Incidents", [examples.INCIDENT])],
    )
    def get(self, request: Request, page_id: str) -> Response:
        matching = selectors.incidents_matching(request.query_params.get("q", "").strip())
        rows, headers = self.paginate(request, matching, size_parameter="limit")
        ctx = page_context()
        return Response([management_incident(ctx, i) for i in rows], headers=headers)

    @extend_schema(
        tags=["incidents"],
        summary="Declare an incident, backfill a past one, or schedule a maintenance",
        description=(
            "A `status` of scheduled or in_progress, or a `scheduled_for`, schedules a "
            "maintenance window; `backfilled` with a `backfill_date` records a past incident "
            "without notifying anyone; anything else declares an incident. `components` sets "
            "statuses ({id: status}); `component_ids` names components without changing them."
        ),
        parameters=[IDEMPOTENCY_KEY],
        request=IncidentRequest,
        responses={201: IncidentObject, **WRITE_ERRORS},
        examples=[
            examples.DECLARE,
            examples.SCHEDULE,
            examples.BACKFILL,
            examples.response("Incident", examples.INCIDENT, status=201),
        ],
    )
    def post(self, request: Request, page_id: str) -> Response:
        fields = validated(IncidentRequest, request.data)["incident"]

        def create() -> Response:
            if is_maintenance_request(fields):
                incident = schedule(fields, author=request.user)
            else:
                incident = declare(fields, author=request.user)
            return incident_response(incident.public_id, created=True)

        return self.write(request, create)


def declare(fields: dict, *, author) -> Incident:
    backfilled = fields["backfilled"]
    default_status = IncidentStatus.RESOLVED if backfilled else IncidentStatus.INVESTIGATING
    status_value = fields.get("status", default_status)
    if backfilled and "backfill_date" not in fields:
        raise ValidationError({"backfill_date": ["A backfilled incident needs its date."]})
    return services.declare_incident(
        name=fields["name"],
        name_ja=fields.get("name_ja", ""),
        status=status_value,
        component_statuses=component_statuses(fields),
        impact_override=fields.get("impact_override") or "",
        deliver_notifications=fields["deliver_notifications"],
        author=author,
        started_at=fields.get("backfill_date"),
        backfilled=backfilled,
        **texts(fields, status_value),
    )


def schedule(fields: dict, *, author) -> Incident:
    status_value = fields.get("status", MaintenanceStatus.SCHEDULED)
    missing = [f for f in ("scheduled_for", "scheduled_until") if f not in fields]
    if missing:
        raise ValidationError({f: ["A scheduled maintenance needs its window."] for f in missing})
    if status_value not in (MaintenanceStatus.SCHEDULED, MaintenanceStatus.IN_PROGRESS):
        raise ValidationError(
            {"status": ["A new maintenance starts as “scheduled” or “in_progress”."]}
        )
    maintenance = services.schedule_maintenance(
        name=fields["name"],
        name_ja=fields.get("name_ja", ""),
        scheduled_for=fields["scheduled_for"],
        scheduled_until=fields["scheduled_until"],
        components=list(component_statuses(fields)),
        deliver_notifications=fields["deliver_notifications"],
        author=author,
        **window_flags(fields),
        **texts(fields, MaintenanceStatus.SCHEDULED),
    )
    if status_value == MaintenanceStatus.IN_PROGRESS:
        services.start_maintenance(
            maintenance=maintenance,
            author=author,
            deliver_notifications=fields["deliver_notifications"],
        )
    return maintenance


def window_flags(fields: dict) -> dict:
    """The maintenance's automation flags from Statuspage's names (Noroshi keeps one flag for
    both component transitions, and the reminder as minutes before the window)."""
    flags = {}
    auto = fields.get("scheduled_auto_transition")
    for ours, theirs in (
        ("auto_start", "scheduled_auto_in_progress"),
        ("auto_complete", "scheduled_auto_completed"),
    ):
        value = fields.get(theirs, auto)
        if value is not None:
            flags[ours] = value
    transitions = [
        fields[name]
        for name in ("auto_transition_to_maintenance_state", "auto_transition_to_operational_state")
        if name in fields
    ]
    if transitions:
        flags["set_components_under_maintenance"] = any(transitions)
    if "scheduled_remind_minutes" in fields:
        flags["remind_minutes_before"] = fields["scheduled_remind_minutes"]
    elif "scheduled_remind_prior" in fields:
        flags["remind_minutes_before"] = (
            DEFAULT_REMIND_MINUTES if fields["scheduled_remind_prior"] else None
        )
    return flags


class IncidentDetail(ManagementView):
    required_permissions = INCIDENT_PERMISSIONS

    @extend_schema(
        tags=["incidents"],
        summary="Get an incident",
        responses={200: IncidentObject, **READ_ERRORS},
        examples=[examples.response("Incident", examples.INCIDENT)],
    )
    def get(self, request: Request, page_id: str, incident_id: str) -> Response:
        return incident_response(incident_id)

    @extend_schema(
        tags=["incidents"],
        summary="Update an incident: a status, body or components posts an update",
        description=(
            "`name` and `impact_override` (and a maintenance's window and flags) are edited in "
            "place. A `status`, `body` or `components` posts an update, announced to "
            "subscribers unless `deliver_notifications` is false; a status without a body takes "
            "the team's update template for that status, or a standard sentence. Resolving "
            "returns the incident's components to operational unless another open incident "
            "holds them; an open status on a resolved incident reopens it."
        ),
        parameters=[IDEMPOTENCY_KEY],
        request=changes_of(IncidentRequest),
        responses={200: IncidentObject, **WRITE_ERRORS},
        examples=[
            examples.UPDATE_INCIDENT,
            examples.RESOLVE,
            examples.RENAME,
            examples.response("Incident", examples.INCIDENT),
        ],
    )
    def patch(self, request: Request, page_id: str, incident_id: str) -> Response:
        incident = incident_or_404(incident_id)
        fields = validated(IncidentRequest, request.data, partial=True).get("incident", {})

        def change() -> Response:
            edit(incident, fields, actor=request.user)
            if UPDATE_FIELDS & set(fields):
                post(incident, fields, author=request.user)
            return incident_response(incident_id)

        return self.write(request, change)

    put = twin(patch, summary="Update an incident (as PATCH)", tags=["incidents"])

    @extend_schema(
        tags=["incidents"],
        summary="Refused: incidents are never deleted",
        responses={204: None, **WRITE_ERRORS, **errors(409)},
    )
    def delete(self, request: Request, page_id: str, incident_id: str) -> Response:
        incident_or_404(incident_id)
        raise Conflict(
            "Incidents are never deleted: what the page said stays in its history. Resolve "
            "the incident (or complete the maintenance) instead."
        )


def edit(incident: Incident, fields: dict, *, actor) -> None:
    """Name, impact override and (maintenance) window: audited edits, no update posted."""
    names = {k: fields[k] for k in ("name", "name_ja") if k in fields}
    if "impact_override" in fields:
        names["impact_override"] = fields["impact_override"] or ""
    if names:
        services.edit_incident(incident=incident, actor=actor, **names)
    if not incident.is_maintenance:
        return
    window = {k: fields[k] for k in ("scheduled_for", "scheduled_until") if k in fields}
    window |= window_flags(fields)
    components = None
    if "components" in fields or "component_ids" in fields:
        components = list(component_statuses(fields))
    if window or components is not None:
        services.edit_maintenance(
            maintenance=incident, actor=actor, components=components, **window
        )


def post(incident: Incident, fields: dict, *, author) -> None:
    """The update a PATCH with a status, body or components posts."""
    status_value = fields.get("status", incident.status)
    update = {
        "deliver_notifications": fields.get("deliver_notifications", True),
        "author": author,
        **texts(fields, status_value),
    }
    if incident.is_maintenance:
        if status_value == incident.status and "body" not in fields:
            return  # only the window's components changed: edit() did it
        services.post_maintenance_update(maintenance=incident, status=status_value, **update)
        return
    statuses = component_statuses(fields)
    reopening = (
        incident.status in CLOSED_INCIDENT_STATUSES and status_value in UNRESOLVED_INCIDENT_STATUSES
    )
    if reopening:
        services.reopen_incident(
            incident=incident, status=status_value, component_statuses=statuses, **update
        )
        return
    services.post_update(
        incident=incident, status=status_value, component_statuses=statuses, **update
    )


class IncidentSubset(ManagementView):
    """unresolved, upcoming, scheduled, active_maintenance: one selector each."""

    required_permissions = {"GET": "incidents.view_incident"}
    rows = staticmethod(selectors.unresolved_incidents)

    @extend_schema(
        tags=["incidents"],
        parameters=LIST_PARAMETERS,
        responses={200: IncidentObject(many=True), **READ_ERRORS, **errors(400)},
        examples=[examples.response("Incidents", [examples.INCIDENT])],
    )
    def get(self, request: Request, page_id: str) -> Response:
        rows, headers = self.paginate(request, type(self).rows().select_related("postmortem"))
        ctx = page_context()
        return Response([management_incident(ctx, i) for i in rows], headers=headers)


@extend_schema_view(get=extend_schema(summary="List unresolved incidents"))
class UnresolvedIncidents(IncidentSubset):
    rows = staticmethod(selectors.unresolved_incidents)


@extend_schema_view(get=extend_schema(summary="List upcoming maintenance (still scheduled)"))
class UpcomingMaintenance(IncidentSubset):
    rows = staticmethod(selectors.upcoming_maintenances)


@extend_schema_view(get=extend_schema(summary="List every scheduled maintenance"))
class ScheduledMaintenance(IncidentSubset):
    rows = staticmethod(selectors.all_maintenances)


@extend_schema_view(get=extend_schema(summary="List maintenance in progress or verifying"))
class ActiveMaintenance(IncidentSubset):
    rows = staticmethod(selectors.active_maintenances)
