"""Writes that run scheduled maintenance: schedule, post updates, start, complete, and the
periodic sweep that starts and completes due windows by themselves."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from incidents.announcements import announce_maintenance_reminder
from incidents.changes import page_changed_on_commit
from incidents.choices import (
    ACTIVE_MAINTENANCE_STATUSES,
    ComponentStatus,
    IncidentKind,
    MaintenanceStatus,
    StatusChangeSource,
)
from incidents.models import Component, Incident, IncidentUpdate
from incidents.one_line import one_line
from incidents.services.audit import field_changes, record_audit, saved_user
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

MAINTENANCE_ORDER = list(MaintenanceStatus.values)

AUTO_START_BODY = "The scheduled maintenance has started. We will post updates as it proceeds."
AUTO_START_BODY_JA = "予定していたメンテナンスを開始しました。進捗があり次第お知らせします。"
AUTO_COMPLETE_BODY = "The scheduled maintenance has been completed."
AUTO_COMPLETE_BODY_JA = "予定していたメンテナンスは完了しました。"


def validate_window(scheduled_for: datetime, scheduled_until: datetime, *, now: datetime) -> None:
    if timezone.is_naive(scheduled_for) or timezone.is_naive(scheduled_until):
        raise ValidationError("The maintenance window needs times with a time zone.", code="naive")
    if scheduled_until <= scheduled_for:
        raise ValidationError(
            {"scheduled_until": "The maintenance must end after it starts."}, code="window"
        )
    if scheduled_until <= now:
        raise ValidationError(
            {"scheduled_until": "This window has already ended; pick an end in the future."},
            code="past",
        )


@transaction.atomic
def schedule_maintenance(
    *,
    name: str,
    body: str,
    scheduled_for: datetime,
    scheduled_until: datetime,
    components: Iterable[Component] = (),
    auto_start: bool = True,
    auto_complete: bool = True,
    set_components_under_maintenance: bool = True,
    remind_minutes_before: int | None = None,
    deliver_notifications: bool = True,
    author=None,
    name_ja: str = "",
    body_ja: str = "",
) -> Incident:
    """Schedule a maintenance window with its first ("scheduled") update.

    Raises ValidationError (and writes nothing) for an empty name or body, a window that ends
    before it starts or has already ended, or a negative reminder.
    """
    page_changed_on_commit()
    now = timezone.now()
    name = clean_line(name, field="name", max_length=200)
    body = clean_text(body, field="body")
    validate_window(scheduled_for, scheduled_until, now=now)
    refuse_repeated_opening(kind=IncidentKind.MAINTENANCE, name=name, body=body, now=now)
    if remind_minutes_before is not None and remind_minutes_before < 0:
        raise ValidationError(
            {"remind_minutes_before": "The reminder must be zero or more minutes before the start."}
        )
    maintenance = Incident.objects.create(
        kind=IncidentKind.MAINTENANCE,
        name=name,
        name_ja=one_line(name_ja),
        status=MaintenanceStatus.SCHEDULED,
        started_at=scheduled_for,
        scheduled_for=scheduled_for,
        scheduled_until=scheduled_until,
        auto_start=auto_start,
        auto_complete=auto_complete,
        set_components_under_maintenance=set_components_under_maintenance,
        remind_minutes_before=remind_minutes_before,
        created_by=saved_user(author),
    )
    maintenance.components.set(list(components))
    append_update(
        incident=maintenance,
        status=MaintenanceStatus.SCHEDULED,
        body=body,
        body_ja=body_ja,
        component_statuses={},
        deliver_notifications=deliver_notifications,
        author=author,
        display_at=now,
        source=StatusChangeSource.MAINTENANCE,
    )
    refresh_incident(maintenance, status=MaintenanceStatus.SCHEDULED, fields=[])
    record_audit(actor=author, action="schedule", target=maintenance, summary=name)
    return maintenance


def validate_maintenance_step(current: str, new: str) -> None:
    if new not in MAINTENANCE_ORDER:
        raise ValidationError(
            {
                "status": f"“{new}” is not a maintenance status; use one of "
                f"{', '.join(MAINTENANCE_ORDER)}."
            },
            code="invalid_status",
        )
    if current == MaintenanceStatus.COMPLETED:
        raise ValidationError("This maintenance is completed; it takes no more updates.")
    if MAINTENANCE_ORDER.index(new) < MAINTENANCE_ORDER.index(current):
        raise ValidationError(
            {"status": f"A maintenance can't go back from {current} to {new}."}, code="backwards"
        )


def window_component_statuses(
    maintenance: Incident, *, old: str, new: str, mentioned: ComponentStatuses
) -> dict:
    """What starting or completing the window does to the components the update leaves out."""
    if not maintenance.set_components_under_maintenance:
        return {}
    components = maintenance.components.exclude(pk__in=[c.pk for c in mentioned])
    if old == MaintenanceStatus.SCHEDULED and new != MaintenanceStatus.SCHEDULED:
        if new == MaintenanceStatus.COMPLETED:
            return {}
        return {c: ComponentStatus.UNDER_MAINTENANCE for c in components.order_by("pk")}
    if new == MaintenanceStatus.COMPLETED:
        # Only components still in maintenance go back, and not while another window holds them.
        other_windows = Incident.objects.filter(
            kind=IncidentKind.MAINTENANCE, status__in=ACTIVE_MAINTENANCE_STATUSES
        ).exclude(pk=maintenance.pk)
        back = components.filter(status=ComponentStatus.UNDER_MAINTENANCE).exclude(
            incidents__in=other_windows
        )
        return {c: ComponentStatus.OPERATIONAL for c in back.order_by("pk")}
    return {}


@transaction.atomic
def post_maintenance_update(
    *,
    maintenance: Incident,
    status: str,
    body: str,
    body_ja: str = "",
    component_statuses: ComponentStatuses | None = None,
    deliver_notifications: bool = True,
    author=None,
    display_at: datetime | None = None,
) -> IncidentUpdate:
    """Append an update to a maintenance, moving it forward (never back) through its statuses.

    Leaving `scheduled` puts the window's components under maintenance and completing returns
    them to operational (when the maintenance says so). Raises ValidationError, writing
    nothing, for a completed maintenance, a backward step or bad input.
    """
    page_changed_on_commit()
    locked = Incident.objects.select_for_update().get(pk=maintenance.pk)
    if locked.kind != IncidentKind.MAINTENANCE:
        raise ValidationError("This is an incident, not a scheduled maintenance.")
    validate_maintenance_step(locked.status, status)
    body = clean_text(body, field="body")
    component_statuses = clean_component_statuses(component_statuses)
    now = timezone.now()
    refuse_repeated_update(locked, status=status, body=body, now=now)
    display_at = clean_display_at(display_at, now=now)
    implied = window_component_statuses(
        locked, old=locked.status, new=status, mentioned=component_statuses
    )
    fields, old_status = [], locked.status
    if locked.status == MaintenanceStatus.SCHEDULED and status != MaintenanceStatus.SCHEDULED:
        locked.started_at = display_at
        fields.append("started_at")
    if status == MaintenanceStatus.COMPLETED:
        locked.resolved_at = display_at
        fields.append("resolved_at")
    update = append_update(
        incident=locked,
        status=status,
        body=body,
        body_ja=body_ja,
        component_statuses={**implied, **component_statuses},
        deliver_notifications=deliver_notifications,
        author=author,
        display_at=display_at,
        source=StatusChangeSource.MAINTENANCE,
    )
    refresh_incident(locked, status=status, fields=fields)
    record_audit(
        actor=author,
        action="post_update",
        target=locked,
        summary=status,
        changes=update_changes(update, old_status=old_status),
    )
    maintenance.refresh_from_db()
    return update


def start_maintenance(*, maintenance: Incident, author=None, **update) -> IncidentUpdate:
    """Move a maintenance to in_progress (see post_maintenance_update)."""
    update.setdefault("body", AUTO_START_BODY)
    update.setdefault("body_ja", AUTO_START_BODY_JA)
    return post_maintenance_update(
        maintenance=maintenance, status=MaintenanceStatus.IN_PROGRESS, author=author, **update
    )


def complete_maintenance(*, maintenance: Incident, author=None, **update) -> IncidentUpdate:
    """Move a maintenance to completed (see post_maintenance_update)."""
    update.setdefault("body", AUTO_COMPLETE_BODY)
    update.setdefault("body_ja", AUTO_COMPLETE_BODY_JA)
    return post_maintenance_update(
        maintenance=maintenance, status=MaintenanceStatus.COMPLETED, author=author, **update
    )


def run_due_maintenance(*, now: datetime | None = None) -> dict[str, list[str]]:
    """Start the auto-start windows whose start has come and complete the auto-complete ones
    whose end has passed; return the public ids of each.

    Each window moves in its own transaction, re-checked under a row lock, so two overlapping
    runs (or a rerun after a crash) never post the same transition twice.
    """
    now = now or timezone.now()
    maintenances = Incident.objects.filter(kind=IncidentKind.MAINTENANCE)
    due_start = maintenances.filter(
        status=MaintenanceStatus.SCHEDULED, auto_start=True, scheduled_for__lte=now
    ).order_by("scheduled_for", "pk")
    started = [pk for pk in due_start.values_list("pk", flat=True) if _move_if(pk, "start", now)]
    due_end = maintenances.filter(
        status__in=ACTIVE_MAINTENANCE_STATUSES, auto_complete=True, scheduled_until__lte=now
    ).order_by("scheduled_until", "pk")
    completed = [pk for pk in due_end.values_list("pk", flat=True) if _move_if(pk, "complete", now)]
    ids = dict(Incident.objects.filter(pk__in=started + completed).values_list("pk", "public_id"))
    return {"started": [ids[pk] for pk in started], "completed": [ids[pk] for pk in completed]}


def _move_if(pk: int, step: str, now: datetime) -> bool:
    with transaction.atomic():
        row = Incident.objects.select_for_update().filter(pk=pk).first()
        if row is None:
            return False
        if step == "start":
            if row.status != MaintenanceStatus.SCHEDULED or not is_due(row.scheduled_for, now):
                return False
            start_maintenance(maintenance=row)
            return True
        if row.status not in ACTIVE_MAINTENANCE_STATUSES or not is_due(row.scheduled_until, now):
            return False
        complete_maintenance(maintenance=row)
        return True


def is_due(moment: datetime | None, now: datetime) -> bool:
    return moment is not None and moment <= now


WINDOW_FIELDS = (
    "scheduled_for",
    "scheduled_until",
    "auto_start",
    "auto_complete",
    "set_components_under_maintenance",
    "remind_minutes_before",
)


@transaction.atomic
def edit_maintenance(
    *, maintenance: Incident, actor=None, components: Iterable[Component] | None = None, **changes
) -> Incident:
    """Change a maintenance's window, flags, reminder or components (name: edit_incident).

    The start and the components can change only while the window is still scheduled; the end
    may be moved while it is in progress. Raises ValidationError, writing nothing, for a
    completed maintenance, a change that is no longer allowed, or a bad window.
    """
    page_changed_on_commit()
    unknown = set(changes) - set(WINDOW_FIELDS)
    if unknown:
        raise TypeError(f"edit_maintenance() got unexpected fields: {sorted(unknown)}")
    locked = Incident.objects.select_for_update().get(pk=maintenance.pk)
    if locked.kind != IncidentKind.MAINTENANCE:
        raise ValidationError("This is an incident, not a scheduled maintenance.")
    before_after = field_changes(locked, changes)
    changed = list(before_after)
    new_components = None if components is None else set(components)
    if new_components is not None and new_components == set(locked.components.all()):
        new_components = None
    if not changed and new_components is None:
        return maintenance
    validate_window_edit(locked, changed=changed, components_changed=new_components is not None)
    for field in changed:
        setattr(locked, field, changes[field])
    start, end = window_of(locked)
    if "scheduled_for" in changed or "scheduled_until" in changed:
        validate_window(start, end, now=timezone.now())
    if "scheduled_for" in changed:
        locked.started_at = start
        changed.append("started_at")
    if new_components is not None:
        before_after["components"] = (list(locked.components.all()), new_components)
        locked.components.set(new_components)
        changed.append("components")
    locked.updated_at = timezone.now()
    locked.save(update_fields=[f for f in changed if f != "components"] + ["updated_at"])
    record_audit(
        actor=actor,
        action="edit",
        target=locked,
        summary=", ".join(changed),
        changes=before_after,
    )
    maintenance.refresh_from_db()
    return maintenance


def window_of(maintenance: Incident) -> tuple[datetime, datetime]:
    """The window's start and end (the maintenance_has_window constraint guarantees both)."""
    if maintenance.scheduled_for is None or maintenance.scheduled_until is None:
        raise ValueError(f"maintenance {maintenance.pk} has no window")
    return maintenance.scheduled_for, maintenance.scheduled_until


def validate_window_edit(maintenance: Incident, *, changed: list[str], components_changed: bool):
    if maintenance.status == MaintenanceStatus.COMPLETED:
        raise ValidationError("This maintenance is completed; its window can't change.")
    if maintenance.status == MaintenanceStatus.SCHEDULED:
        return
    if "scheduled_for" in changed:
        raise ValidationError(
            {"scheduled_for": "The window has started; its start can't move."}, code="started"
        )
    if components_changed:
        raise ValidationError(
            {"components": "The window has started; its components can't change."},
            code="started",
        )
    if "remind_minutes_before" in changed:
        raise ValidationError(
            {"remind_minutes_before": "The window has started; the reminder no longer applies."},
            code="started",
        )


# Reminders are looked for this far ahead; a reminder set further before its window than this
# is sent when the window comes within it.
REMINDER_HORIZON = timedelta(days=14)


def send_due_reminders(*, now: datetime | None = None) -> list[str]:
    """Announce "starts soon" for each scheduled window whose reminder time has come and whose
    start has not; return their public ids.

    Each reminder is claimed with a conditional UPDATE of reminded_at in the transaction that
    writes its announcement, so overlapping runs or a rerun send it once. A window that
    started before its reminder went out is not reminded of at all.
    """
    now = now or timezone.now()
    candidates = Incident.objects.filter(
        kind=IncidentKind.MAINTENANCE,
        status=MaintenanceStatus.SCHEDULED,
        remind_minutes_before__isnull=False,
        reminded_at__isnull=True,
        scheduled_for__gt=now,
        scheduled_for__lte=now + REMINDER_HORIZON,
    ).values_list("pk", "scheduled_for", "remind_minutes_before", "public_id")
    reminded = []
    for pk, starts, minutes, public_id in candidates:
        if starts is None or minutes is None or starts - timedelta(minutes=minutes) > now:
            continue  # (the query excludes None; the check tells the type checker)
        with transaction.atomic():
            claimed = Incident.objects.filter(pk=pk, reminded_at__isnull=True).update(
                reminded_at=now
            )
            if claimed:
                maintenance = Incident.objects.get(pk=pk)
                announce_maintenance_reminder(maintenance)
                record_audit(
                    actor=None,
                    action="remind",
                    target=maintenance,
                    summary=f"{minutes} minutes before",
                )
                reminded.append(public_id)
    return reminded
