"""Writes to components, component groups and their status history."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents import announcements
from incidents.changes import page_changed_on_commit
from incidents.choices import (
    UNFINISHED_MAINTENANCE_STATUSES,
    UNRESOLVED_INCIDENT_STATUSES,
    ComponentStatus,
    DraftState,
    IncidentKind,
    StatusChangeSource,
)
from incidents.models import (
    Component,
    ComponentGroup,
    ComponentStatusChange,
    Incident,
    IncidentUpdate,
)
from incidents.one_line import one_line
from incidents.services.audit import record_audit, save_changes, saved_user

EDITABLE_COMPONENT_FIELDS = frozenset(
    {
        "name",
        "name_ja",
        "description",
        "description_ja",
        "group",
        "position",
        "showcase",
        "only_show_if_degraded",
        "start_date",
    }
)
EDITABLE_GROUP_FIELDS = frozenset({"name", "name_ja", "description", "description_ja", "position"})


def validate_component_status(status: str) -> None:
    if status not in ComponentStatus.values:
        raise ValidationError(
            "“%(status)s” is not a component status; use one of %(choices)s.",
            params={"status": status, "choices": ", ".join(ComponentStatus.values)},
            code="invalid_status",
        )


def status_as_of(component: Component, at: datetime) -> str:
    """The status the history gives `component` at `at`.

    Before its first row, that is the status the first row started from (or was created with).
    """
    history = ComponentStatusChange.objects.filter(component=component)
    last = (
        history.filter(created_at__lte=at)
        .order_by("-created_at", "-id")
        .values_list("new_status", flat=True)
        .first()
    )
    if last:
        return last
    following = history.filter(created_at__gt=at).order_by("created_at", "id").first()
    if following:
        return following.old_status or following.new_status
    return component.status


def set_component_status(
    *,
    component: Component,
    status: str,
    source: StatusChangeSource,
    actor=None,
    incident_update: IncidentUpdate | None = None,
    at: datetime | None = None,
    backfill: bool = False,
) -> ComponentStatusChange | None:
    """Change a component's status and append the history row; return it (None if unchanged).

    With `backfill`, only the history row is written, at `at` (a past time), and the
    component's current status is left alone. Runs in (or opens) a transaction and locks the
    component row so that concurrent changes serialise.
    """
    validate_component_status(status)
    at = at or timezone.now()
    with transaction.atomic():
        locked = Component.objects.select_for_update().get(pk=component.pk)
        if locked.archived_at is not None and not backfill:
            raise ValidationError(
                _("“%(component)s” is archived: it has no current status.")
                % {"component": locked.name}
            )
        old = status_as_of(locked, at) if backfill else locked.status
        if old == status:
            return None
        page_changed_on_commit()  # before the announcement registers its own on-commit work
        change = ComponentStatusChange.objects.create(
            component=locked,
            old_status=old,
            new_status=status,
            source=source,
            actor=saved_user(actor),
            incident_update=incident_update,
            created_at=at,
        )
        if not backfill:
            locked.status = component.status = status
            locked.updated_at = component.updated_at = timezone.now()
            locked.save(update_fields=["status", "updated_at"])
            announcements.announce_component_change(change)
    return change


@transaction.atomic
def create_component(
    *,
    name: str,
    status: str = ComponentStatus.OPERATIONAL,
    actor=None,
    created_at: datetime | None = None,
    **fields,
) -> Component:
    """Create a component and the first row of its status history (source "created")."""
    page_changed_on_commit()
    unknown = set(fields) - EDITABLE_COMPONENT_FIELDS
    if unknown:
        raise TypeError(f"create_component() got unexpected fields: {sorted(unknown)}")
    validate_component_status(status)
    created_at = created_at or timezone.now()
    component = Component(
        name=one_line(name), status=status, created_at=created_at, updated_at=created_at, **fields
    )
    component.full_clean()
    component.save()
    ComponentStatusChange.objects.create(
        component=component,
        old_status="",
        new_status=status,
        source=StatusChangeSource.CREATED,
        actor=saved_user(actor),
        created_at=created_at,
    )
    record_audit(actor=actor, action="create", target=component, summary=f"status {status}")
    return component


@transaction.atomic
def edit_component(
    *, component: Component, actor=None, source=StatusChangeSource.ADMIN, **changes
) -> Component:
    """Change a component's fields; a `status` change goes through the history like any other."""
    page_changed_on_commit()
    status = changes.pop("status", None)
    unknown = set(changes) - EDITABLE_COMPONENT_FIELDS
    if unknown:
        raise TypeError(f"edit_component() got unexpected fields: {sorted(unknown)}")
    if "name" in changes:
        changes["name"] = one_line(changes["name"])
    save_changes(component, changes, actor=actor)
    old_status = component.status
    if status is not None and status != old_status:
        set_component_status(component=component, status=status, source=source, actor=actor)
        record_audit(
            actor=actor,
            action="set_status",
            target=component,
            summary=status,
            changes={"status": (old_status, status)},
        )
    return component


@transaction.atomic
def archive_component(*, component: Component, actor=None) -> Component:
    """Take a component off the page: its status, forms and lists no longer show it, while its
    history, its incidents and the reports of the past keep it. Components are never deleted.
    Refused while an incident or a maintenance not finished names it."""
    locked = Component.objects.select_for_update().get(pk=component.pk)
    if locked.archived_at is not None:
        return locked
    current = (
        Incident.objects.filter(components=locked)
        .filter(
            Q(kind=IncidentKind.INCIDENT, status__in=UNRESOLVED_INCIDENT_STATUSES)
            | Q(kind=IncidentKind.MAINTENANCE, status__in=UNFINISHED_MAINTENANCE_STATUSES)
        )
        .exclude(draft_state=DraftState.DISCARDED)
        .first()
    )
    if current is not None:
        raise ValidationError(
            _("“%(component)s” is part of “%(incident)s”, which is not resolved: resolve it first.")
            % {"component": locked.name, "incident": current.name}
        )
    page_changed_on_commit()
    locked.archived_at = component.archived_at = timezone.now()
    locked.save(update_fields=["archived_at"])
    record_audit(actor=actor, action="archive", target=locked, summary=locked.name)
    return locked


@transaction.atomic
def restore_component(*, component: Component, actor=None) -> Component:
    """Put an archived component back on the page (its name must still be free)."""
    locked = Component.objects.select_for_update().get(pk=component.pk)
    if locked.archived_at is None:
        return locked
    page_changed_on_commit()
    locked.archived_at = component.archived_at = None
    locked.validate_constraints()
    locked.save(update_fields=["archived_at"])
    record_audit(actor=actor, action="restore", target=locked, summary=locked.name)
    return locked


@transaction.atomic
def create_component_group(*, name: str, actor=None, **fields) -> ComponentGroup:
    """Create a component group."""
    page_changed_on_commit()
    unknown = set(fields) - EDITABLE_GROUP_FIELDS
    if unknown:
        raise TypeError(f"create_component_group() got unexpected fields: {sorted(unknown)}")
    group = ComponentGroup(name=one_line(name), **fields)
    group.full_clean()
    group.save()
    record_audit(actor=actor, action="create", target=group)
    return group


@transaction.atomic
def edit_component_group(*, group: ComponentGroup, actor=None, **changes) -> ComponentGroup:
    """Change a group's fields."""
    page_changed_on_commit()
    unknown = set(changes) - EDITABLE_GROUP_FIELDS
    if unknown:
        raise TypeError(f"edit_component_group() got unexpected fields: {sorted(unknown)}")
    if "name" in changes:
        changes["name"] = one_line(changes["name"])
    save_changes(group, changes, actor=actor)
    return group


@transaction.atomic
def delete_component_group(*, group: ComponentGroup, actor=None) -> None:
    """Delete a group; its components stay, ungrouped."""
    page_changed_on_commit()
    record_audit(actor=actor, action="delete", target=group, summary=group.name)
    group.delete()
