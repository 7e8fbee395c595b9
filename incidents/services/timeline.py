"""The timeline step shared by incidents and maintenance: append an update with its component
changes, and keep the incident's components and impact in step."""

from collections.abc import Mapping
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from incidents.announcements import announce_update
from incidents.choices import (
    IMPACT_OF_COMPONENT_STATUS,
    IMPACT_SEVERITY,
    Impact,
    StatusChangeSource,
)
from incidents.models import Component, Incident, IncidentUpdate, IncidentUpdateComponent
from incidents.one_line import one_line
from incidents.services.audit import saved_user
from incidents.services.components import set_component_status, validate_component_status

ComponentStatuses = Mapping[Component, str]

# Clocks drift between the browser that filled the form and the server: a display time this
# far ahead is taken as "now"; further ahead is an error.
CLOCK_SKEW = timedelta(minutes=2)


def clean_line(value: str, *, field: str, max_length: int | None = None) -> str:
    """clean_text() of the value on one line (one_line)."""
    return clean_text(one_line(value), field=field, max_length=max_length)


def clean_text(value: str, *, field: str, max_length: int | None = None) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: "This field is required."}, code="required")
    if max_length and len(value) > max_length:
        raise ValidationError(
            {field: f"At most {max_length} characters (this one has {len(value)})."},
            code="max_length",
        )
    return value


def clean_display_at(display_at: datetime | None, *, now: datetime) -> datetime:
    if display_at is None:
        return now
    if timezone.is_naive(display_at):
        raise ValidationError({"display_at": "The time needs a time zone."}, code="naive")
    if display_at > now + CLOCK_SKEW:
        raise ValidationError({"display_at": "The time can't be in the future."}, code="future")
    return min(display_at, now)


def clean_component_statuses(component_statuses: ComponentStatuses | None) -> dict:
    component_statuses = dict(component_statuses or {})
    for status in component_statuses.values():
        try:
            validate_component_status(status)
        except ValidationError as error:
            raise ValidationError({"component_statuses": error.messages}) from error
    return component_statuses


def append_update(
    *,
    incident: Incident,
    status: str,
    body: str,
    body_ja: str = "",
    component_statuses: ComponentStatuses,
    deliver_notifications: bool,
    author,
    display_at: datetime,
    source: StatusChangeSource,
) -> IncidentUpdate:
    """Write the update row, its component statuses and their history rows; no validation.

    The caller holds the transaction and has validated its arguments. For a backfilled incident
    the history rows are written at the display time and current statuses are left alone.
    """
    update = IncidentUpdate.objects.create(
        incident=incident,
        status=status,
        body=body,
        body_ja=(body_ja or "").strip(),
        display_at=display_at,
        deliver_notifications=deliver_notifications,
        author=saved_user(author),
    )
    rows = []
    for component, new_status in component_statuses.items():
        change = set_component_status(
            component=component,
            status=new_status,
            source=StatusChangeSource.BACKFILL if incident.backfilled else source,
            actor=author,
            incident_update=update,
            at=display_at if incident.backfilled else None,
            backfill=incident.backfilled,
        )
        old_status = change.old_status if change else new_status
        rows.append(
            IncidentUpdateComponent(
                update=update, component=component, old_status=old_status, new_status=new_status
            )
        )
    IncidentUpdateComponent.objects.bulk_create(rows)
    if component_statuses:
        incident.components.add(*component_statuses)
    if update.deliver_notifications:
        announce_update(update)
    return update


def peak_impact(incident: Incident) -> str:
    """The impact implied by the worst status any update of `incident` gave a component."""
    statuses = IncidentUpdateComponent.objects.filter(update__incident=incident).values_list(
        "new_status", flat=True
    )
    impacts = [IMPACT_OF_COMPONENT_STATUS[status] for status in set(statuses)]
    return max(impacts, key=IMPACT_SEVERITY.__getitem__, default=Impact.NONE)


def refresh_incident(incident: Incident, *, status: str, fields: list[str]) -> None:
    """Save the new status, the recomputed impact and the given fields (plus updated_at)."""
    incident.status = status
    incident.impact = incident.impact_override or peak_impact(incident)
    incident.updated_at = timezone.now()
    incident.save(update_fields=sorted({"status", "impact", "updated_at", *fields}))


def update_changes(update: IncidentUpdate, *, old_status: str) -> dict[str, tuple[str, str]]:
    """What posting `update` changed, for its audit row: the status, and each component's
    status (by the component's name as it is now)."""
    changes = {"status": (old_status, update.status)} if old_status != update.status else {}
    rows = IncidentUpdateComponent.objects.filter(update=update).select_related("component")
    for row in rows.order_by("pk"):
        if row.old_status != row.new_status:
            changes[f"component {row.component.name}"] = (row.old_status, row.new_status)
    return changes
