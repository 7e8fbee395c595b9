"""Writes that run an incident: declare, post updates, resolve, reopen, edit."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from incidents.changes import page_changed_on_commit
from incidents.choices import (
    CLOSED_INCIDENT_STATUSES,
    UNRESOLVED_INCIDENT_STATUSES,
    ComponentStatus,
    DraftState,
    Impact,
    IncidentKind,
    IncidentStatus,
    StatusChangeSource,
)
from incidents.models import Component, Incident, IncidentUpdate
from incidents.one_line import one_line
from incidents.services.audit import record_audit, saved_user
from incidents.services.repeats import refuse_repeated_opening, refuse_repeated_update
from incidents.services.timeline import (
    ComponentStatuses,
    append_update,
    clean_component_statuses,
    clean_display_at,
    clean_line,
    clean_text,
    refresh_incident,
    update_changes,
)

# Statuses a person may post; `postmortem` is set by publishing a post-mortem.
POSTABLE_STATUSES = (
    IncidentStatus.INVESTIGATING,
    IncidentStatus.IDENTIFIED,
    IncidentStatus.MONITORING,
    IncidentStatus.RESOLVED,
)


def validate_postable_status(status: str) -> None:
    if status == IncidentStatus.POSTMORTEM:
        raise ValidationError(
            {"status": "“postmortem” is set by publishing a post-mortem, not by an update."},
            code="postmortem",
        )
    if status not in POSTABLE_STATUSES:
        raise ValidationError(
            {
                "status": f"“{status}” is not an incident status; use one of "
                f"{', '.join(POSTABLE_STATUSES)}."
            },
            code="invalid_status",
        )


def validate_impact_override(impact_override: str) -> None:
    if impact_override and impact_override not in Impact.values:
        raise ValidationError(
            {
                "impact_override": f"“{impact_override}” is not an impact; use one of "
                f"{', '.join(Impact.values)}, or leave it empty."
            },
            code="invalid_impact",
        )


def refuse_discarded(incident: Incident) -> None:
    if incident.draft_state == DraftState.DISCARDED:
        raise ValidationError(
            "This draft was discarded: it is kept as it is, never public.", code="discarded"
        )


def lifecycle_timestamps(incident: Incident, *, status: str, at: datetime) -> list[str]:
    """Stamp monitoring_at/resolved_at for the status reached at `at`; return the fields set."""
    fields = []
    if status == IncidentStatus.MONITORING and incident.monitoring_at is None:
        incident.monitoring_at = at
        fields.append("monitoring_at")
    if status == IncidentStatus.RESOLVED:
        incident.resolved_at = at
        fields.append("resolved_at")
    return fields


@transaction.atomic
def declare_incident(
    *,
    name: str,
    body: str,
    status: str = IncidentStatus.INVESTIGATING,
    component_statuses: ComponentStatuses | None = None,
    impact_override: str = "",
    deliver_notifications: bool = True,
    author=None,
    started_at: datetime | None = None,
    backfilled: bool = False,
    name_ja: str = "",
    body_ja: str = "",
) -> Incident:
    """Open an incident with its first update and component statuses, in one transaction.

    A backfilled incident records a past event: its times may lie in the past and its component
    statuses enter the history at those times without touching the current statuses.
    Raises ValidationError (and writes nothing) on bad input.
    """
    page_changed_on_commit()
    now = timezone.now()
    name = clean_line(name, field="name", max_length=200)
    body = clean_text(body, field="body")
    validate_postable_status(status)
    validate_impact_override(impact_override)
    component_statuses = clean_component_statuses(component_statuses)
    started_at = clean_display_at(started_at, now=now)
    refuse_repeated_opening(kind=IncidentKind.INCIDENT, name=name, body=body, now=now)
    incident = Incident.objects.create(
        kind=IncidentKind.INCIDENT,
        name=name,
        name_ja=one_line(name_ja),
        status=status,
        impact_override=impact_override,
        backfilled=backfilled,
        started_at=started_at,
        created_by=saved_user(author),
    )
    first = append_update(
        incident=incident,
        status=status,
        body=body,
        body_ja=body_ja,
        component_statuses=component_statuses,
        deliver_notifications=deliver_notifications and not backfilled,
        author=author,
        display_at=started_at,
        source=StatusChangeSource.INCIDENT_UPDATE,
    )
    fields = lifecycle_timestamps(incident, status=status, at=started_at)
    refresh_incident(incident, status=status, fields=fields)
    record_audit(
        actor=author,
        action="declare",
        target=incident,
        summary=f"{status}: {name}",
        changes=update_changes(first, old_status=""),
    )
    return incident


@transaction.atomic
def post_update(
    *,
    incident: Incident,
    status: str,
    body: str,
    body_ja: str = "",
    component_statuses: ComponentStatuses | None = None,
    deliver_notifications: bool = True,
    author=None,
    display_at: datetime | None = None,
    restore_components: bool = True,
) -> IncidentUpdate:
    """Append an update to an open incident, with its component changes, in one transaction.

    Resolving with `restore_components` also returns every affected component that the update
    does not mention to operational — except those another open incident still holds.
    Raises ValidationError (and writes nothing) when the incident is closed or input is bad.
    """
    page_changed_on_commit()
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    if locked.kind != IncidentKind.INCIDENT:
        raise ValidationError("This is a scheduled maintenance; post maintenance updates to it.")
    if locked.status in CLOSED_INCIDENT_STATUSES:
        raise ValidationError(
            "This incident is resolved; reopen it to post another update.", code="closed"
        )
    refuse_discarded(locked)
    validate_postable_status(status)
    body = clean_text(body, field="body")
    component_statuses = clean_component_statuses(component_statuses)
    now = timezone.now()
    refuse_repeated_update(locked, status=status, body=body, now=now)
    display_at = clean_display_at(display_at, now=now)
    old_status = locked.status
    if status == IncidentStatus.RESOLVED and restore_components:
        for component in components_to_restore(locked, mentioned=component_statuses):
            component_statuses[component] = ComponentStatus.OPERATIONAL
    update = append_update(
        incident=locked,
        status=status,
        body=body,
        body_ja=body_ja,
        component_statuses=component_statuses,
        deliver_notifications=deliver_notifications and not locked.backfilled,
        author=author,
        display_at=display_at,
        source=StatusChangeSource.INCIDENT_UPDATE,
    )
    fields = lifecycle_timestamps(locked, status=status, at=display_at)
    refresh_incident(locked, status=status, fields=fields)
    record_audit(
        actor=author,
        action="post_update",
        target=locked,
        summary=status,
        changes=update_changes(update, old_status=old_status),
    )
    incident.refresh_from_db()
    return update


def components_to_restore(incident: Incident, *, mentioned: ComponentStatuses) -> list[Component]:
    """The incident's components that resolving it should return to operational."""
    held_elsewhere = (
        Incident.objects.filter(kind=IncidentKind.INCIDENT, status__in=UNRESOLVED_INCIDENT_STATUSES)
        .exclude(pk=incident.pk)
        .exclude(draft_state=DraftState.DISCARDED)  # a discarded draft holds nothing
    )
    candidates = incident.components.exclude(pk__in=[c.pk for c in mentioned])
    if not incident.backfilled:
        candidates = candidates.exclude(status=ComponentStatus.OPERATIONAL).exclude(
            incidents__in=held_elsewhere
        )
    return list(candidates.order_by("pk"))


def resolve_incident(
    *, incident: Incident, body: str, restore_components: bool = True, **update
) -> IncidentUpdate:
    """Post the resolving update (see post_update)."""
    return post_update(
        incident=incident,
        status=IncidentStatus.RESOLVED,
        body=body,
        restore_components=restore_components,
        **update,
    )


@transaction.atomic
def reopen_incident(
    *,
    incident: Incident,
    body: str,
    status: str = IncidentStatus.INVESTIGATING,
    author=None,
    **update,
) -> IncidentUpdate:
    """Reopen a resolved incident with an update saying why; clears resolved_at.

    Raises ValidationError when the incident is not resolved or the new status is not open.
    """
    page_changed_on_commit()
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    if locked.kind != IncidentKind.INCIDENT or locked.status != IncidentStatus.RESOLVED:
        raise ValidationError("Only a resolved incident can be reopened.", code="not_resolved")
    refuse_discarded(locked)
    if status not in UNRESOLVED_INCIDENT_STATUSES:
        raise ValidationError(
            {"status": "Reopen with investigating, identified or monitoring."}, code="not_open"
        )
    body = clean_text(body, field="body")
    changes = {"status": (locked.status, status), "resolved_at": (locked.resolved_at, None)}
    locked.status = status
    locked.resolved_at = None
    locked.save(update_fields=["status", "resolved_at"])
    record_audit(actor=author, action="reopen", target=locked, summary=status, changes=changes)
    update_row = post_update(incident=locked, status=status, body=body, author=author, **update)
    incident.refresh_from_db()
    return update_row


@transaction.atomic
def edit_incident(
    *, incident: Incident, actor=None, name=None, name_ja=None, impact_override=None
) -> Incident:
    """Rename an incident or set/clear its impact override; the change is audited."""
    page_changed_on_commit()
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    before = {f: getattr(locked, f) for f in ("name", "name_ja", "impact_override")}
    changed = []
    if name is not None and one_line(name) != locked.name:
        locked.name = clean_line(name, field="name", max_length=200)
        changed.append("name")
    if name_ja is not None and one_line(name_ja) != locked.name_ja:
        locked.name_ja = one_line(name_ja)
        changed.append("name_ja")
    if impact_override is not None and impact_override != locked.impact_override:
        validate_impact_override(impact_override)
        locked.impact_override = impact_override
        changed.append("impact_override")
    if changed:
        refresh_incident(locked, status=locked.status, fields=changed)
        record_audit(
            actor=actor,
            action="edit",
            target=locked,
            summary=", ".join(changed),
            changes={f: (before[f], getattr(locked, f)) for f in changed},
        )
    incident.refresh_from_db()
    return incident
