"""Reads of the management API (statuspage.api_v1): every incident and maintenance, searched
and paged; one update of an incident (the console reads it too); one component or group by its
public id; the templates."""

from django.db.models import Prefetch, Q, QuerySet

from incidents.choices import DraftState, IncidentKind
from incidents.models import (
    Component,
    ComponentGroup,
    Incident,
    IncidentUpdate,
    IncidentUpdateComponent,
    UpdateTemplate,
)
from incidents.selectors.page import on_page, with_timeline


def incidents_matching(query: str = "") -> QuerySet[Incident]:
    """Incidents and maintenance (Statuspage keeps both as incidents), newest first, whose
    name or any update's text holds `query`, with their timelines; alerts' drafts and
    discarded ones too (the API shows them to the roles that may change incidents)."""
    rows = Incident.objects.all()
    if query:
        matching = Q(name__icontains=query) | Q(name_ja__icontains=query)
        matching |= Q(updates__body__icontains=query) | Q(updates__body_ja__icontains=query)
        rows = rows.filter(pk__in=Incident.objects.filter(matching).values("pk"))
    return with_timeline(rows.select_related("postmortem")).order_by("-started_at", "-id")


def incident_is_hidden(public_id: str) -> bool:
    """Whether `public_id` names an incident the public may not see (an alert's draft, or a
    discarded one)."""
    return (
        Incident.objects.filter(public_id=public_id)
        .exclude(draft_state=DraftState.PUBLISHED)
        .exists()
    )


def all_maintenances() -> QuerySet[Incident]:
    """Every maintenance window, latest start first, with its timeline."""
    return with_timeline(Incident.objects.filter(kind=IncidentKind.MAINTENANCE)).order_by(
        "-scheduled_for", "-id"
    )


def incident_for_management(public_id: str) -> Incident:
    """One incident or maintenance with its timeline; raises Incident.DoesNotExist."""
    rows = Incident.objects.filter(public_id=public_id).select_related("postmortem")
    return with_timeline(rows).get()


def update_of_incident(incident: Incident, public_id: str) -> IncidentUpdate:
    """One update of `incident` (an update of another incident is not found), with its
    component changes; raises IncidentUpdate.DoesNotExist."""
    changes = IncidentUpdateComponent.objects.select_related("component__group")
    rows = IncidentUpdate.objects.filter(incident=incident, public_id=public_id)
    return (
        rows.select_related("author")
        .prefetch_related(Prefetch("affected_components", queryset=changes))
        .get()
    )


def components_for_management() -> QuerySet[Component]:
    """The page's components (not archived), in page order, each with its group."""
    return on_page(Component.objects.select_related("group")).order_by(
        "group__position", "group_id", "position", "id"
    )


def component_for_management(public_id: str) -> Component:
    """One component on the page; raises Component.DoesNotExist (archived ones too)."""
    return on_page(Component.objects.select_related("group")).get(public_id=public_id)


def components_by_public_id(public_ids: list[str]) -> dict[str, Component]:
    """The page's components among `public_ids` (unknown ids are simply absent)."""
    rows = on_page(Component.objects.select_related("group")).filter(public_id__in=public_ids)
    return {component.public_id: component for component in rows}


def groups_for_management() -> QuerySet[ComponentGroup]:
    """Component groups in page order with their components on the page."""
    return ComponentGroup.objects.prefetch_related("components").order_by("position", "id")


def group_for_management(public_id: str) -> ComponentGroup:
    """One component group; raises ComponentGroup.DoesNotExist."""
    return ComponentGroup.objects.prefetch_related("components").get(public_id=public_id)


def group_by_public_id(public_id: str) -> ComponentGroup | None:
    return ComponentGroup.objects.filter(public_id=public_id).first()


def update_templates() -> QuerySet[UpdateTemplate]:
    return UpdateTemplate.objects.order_by("kind", "name")


def update_template_for(*, kind: str, status: str) -> UpdateTemplate | None:
    """The team's canned wording for a status, when it has one."""
    return UpdateTemplate.objects.filter(kind=kind, status=status).order_by("name").first()
