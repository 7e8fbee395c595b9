"""Writes of recovery actions: create and edit them, move them through their states (start,
complete, decline with a reason, reopen), and mark overdue ones chased (notify.chase e-mails
their owners)."""

from collections.abc import Iterable
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q, TextChoices
from django.utils import timezone

from incidents.changes import page_changed_on_commit
from incidents.choices import (
    FINISHED_ACTION_STATES,
    UNFINISHED_ACTION_STATES,
    ActionKind,
    ActionPriority,
    ActionState,
    IncidentKind,
)
from incidents.models import Component, Incident, RecoveryAction
from incidents.services.audit import record_audit, saved_user
from incidents.services.timeline import CLOCK_SKEW, clean_line

# What a recovery action is about, in the order forms show it.
ACTION_FIELDS = (
    "kind",
    "title",
    "title_ja",
    "description",
    "owner",
    "due_on",
    "priority",
    "tracker_url",
    "components",
    "public",
)
EDITABLE_ACTION_FIELDS = frozenset(ACTION_FIELDS)


def clean_due_on(value):
    if value is not None and (isinstance(value, datetime) or not isinstance(value, date)):
        raise ValidationError({"due_on": "The due date must be a date."}, code="invalid_date")
    return value


def clean_tracker_url(value: str) -> str:
    value = (value or "").strip()
    if value:
        try:
            URLValidator(schemes=["http", "https"])(value)
        except ValidationError:
            raise ValidationError(
                {"tracker_url": "Enter the tracker's http or https address."}, code="invalid_url"
            ) from None
    return value


def clean_owner(value):
    if value is not None and not value.is_active:
        raise ValidationError({"owner": f"{value} can no longer sign in."}, code="inactive_owner")
    return value


def clean_choice(field: str, choices: type[TextChoices], what: str):
    def clean(value: str) -> str:
        if value not in choices.values:
            raise ValidationError(
                {field: f"“{value}” is not {what}; use one of {', '.join(choices.values)}."},
                code="invalid_choice",
            )
        return value

    return clean


ACTION_FIELD_CLEANERS = {
    "title": lambda value: clean_line(value, field="title", max_length=200),
    "kind": clean_choice("kind", ActionKind, "a kind of action"),
    "priority": clean_choice("priority", ActionPriority, "a priority"),
    "due_on": clean_due_on,
    "tracker_url": clean_tracker_url,
    "owner": clean_owner,
    "components": list,
    "public": bool,
}


def clean_action_value(field: str, value):
    """The cleaned value of one field of a recovery action; ValidationError when invalid."""
    cleaner = ACTION_FIELD_CLEANERS.get(field)
    if cleaner is not None:
        return cleaner(value)
    return (value or "").strip()


def clean_action_fields(fields: dict, *, service: str) -> dict:
    unknown = set(fields) - EDITABLE_ACTION_FIELDS
    if unknown:
        raise TypeError(f"{service}() got unexpected fields: {sorted(unknown)}")
    return {field: clean_action_value(field, value) for field, value in fields.items()}


@transaction.atomic
def create_recovery_action(
    *,
    incident: Incident,
    title: str,
    kind: str,
    actor=None,
    components: Iterable[Component] = (),
    **fields,
) -> RecoveryAction:
    """Record a recovery action of an incident (open, not yet chased).

    Raises ValidationError (writing nothing) for a maintenance, an empty title, an unknown kind
    or priority, a due date that is not a date, a tracker address that is not http(s), or an
    owner who can no longer sign in.
    """
    page_changed_on_commit()
    if incident.kind != IncidentKind.INCIDENT:
        raise ValidationError(
            "Recovery actions belong to incidents, not to scheduled maintenance.",
            code="maintenance",
        )
    cleaned = clean_action_fields(
        {"title": title, "kind": kind, "components": components, **fields},
        service="create_recovery_action",
    )
    chosen = cleaned.pop("components")
    action = RecoveryAction.objects.create(
        incident=incident, created_by=saved_user(actor), **cleaned
    )
    action.components.set(chosen)
    record_audit(actor=actor, action="create", target=action, summary=action.title)
    return action


def changed_fields(action: RecoveryAction, cleaned: dict) -> list[str]:
    changed = []
    for field, value in cleaned.items():
        if field == "components":
            if {c.pk for c in value} != set(action.components.values_list("pk", flat=True)):
                changed.append(field)
        elif getattr(action, field) != value:
            changed.append(field)
    return changed


@transaction.atomic
def edit_recovery_action(*, action: RecoveryAction, actor=None, **changes) -> RecoveryAction:
    """Change what an action is (title, kind, owner, due date, priority, tracker link,
    components, public flag); its state changes through the other services.

    Raises ValidationError (writing nothing) on invalid values, as create_recovery_action.
    """
    page_changed_on_commit()
    row = RecoveryAction.objects.select_for_update().get(pk=action.pk)
    cleaned = clean_action_fields(changes, service="edit_recovery_action")
    changed = changed_fields(row, cleaned)
    if changed:
        before = {
            f: list(row.components.all()) if f == "components" else getattr(row, f) for f in changed
        }
        for field in changed:
            if field == "components":
                row.components.set(cleaned[field])
            else:
                setattr(row, field, cleaned[field])
        row.updated_at = timezone.now()
        row.save(update_fields=[f for f in changed if f != "components"] + ["updated_at"])
        record_audit(
            actor=actor,
            action="edit",
            target=row,
            summary=", ".join(changed),
            changes={f: (before[f], cleaned[f]) for f in changed},
        )
    action.refresh_from_db()
    return action


def move(action: RecoveryAction, *, to: str, allowed_from: tuple, message: str, actor, **fields):
    """Lock the action, check it may go to `to`, set the state and `fields`, and audit it."""
    row = RecoveryAction.objects.select_for_update().get(pk=action.pk)
    if row.state not in allowed_from:
        raise ValidationError(message % {"state": row.get_state_display().lower()}, code="state")
    changes = {"state": (row.state, to)} | {f: (getattr(row, f), v) for f, v in fields.items()}
    row.state = to
    for field, value in fields.items():
        setattr(row, field, value)
    row.updated_at = timezone.now()
    row.save(update_fields=["state", *fields, "updated_at"])
    record_audit(
        actor=actor, action=f"set_state_{to}", target=row, summary=row.title, changes=changes
    )
    action.refresh_from_db()
    return action


@transaction.atomic
def start_recovery_action(*, action: RecoveryAction, actor=None) -> RecoveryAction:
    """Mark an open action as in progress. Raises ValidationError unless it is open."""
    page_changed_on_commit()
    return move(
        action,
        to=ActionState.IN_PROGRESS,
        allowed_from=(ActionState.OPEN,),
        message="Only an open action can be started; this one is %(state)s.",
        actor=actor,
    )


def clean_completed_at(completed_at: datetime | None, action: RecoveryAction) -> datetime:
    now = timezone.now()
    if completed_at is None:
        return now
    if timezone.is_naive(completed_at):
        raise ValidationError({"completed_at": "The time needs a time zone."}, code="naive")
    if completed_at > now + CLOCK_SKEW:
        raise ValidationError({"completed_at": "The time can't be in the future."}, code="future")
    if completed_at < action.incident.started_at:
        raise ValidationError(
            {"completed_at": "The work can't be done before the incident started."},
            code="before_incident",
        )
    return min(completed_at, now)


@transaction.atomic
def complete_recovery_action(
    *, action: RecoveryAction, actor=None, completed_at: datetime | None = None
) -> RecoveryAction:
    """Mark an open or in-progress action as done, now or at `completed_at` (work finished
    earlier and recorded late). Raises ValidationError (writing nothing) when it is finished
    already (done, or won't do), or the time is naive, in the future or before the incident."""
    page_changed_on_commit()
    return move(
        action,
        to=ActionState.DONE,
        allowed_from=UNFINISHED_ACTION_STATES,
        message="This action is %(state)s already; reopen it first.",
        actor=actor,
        completed_at=clean_completed_at(completed_at, action),
    )


@transaction.atomic
def decline_recovery_action(*, action: RecoveryAction, reason: str, actor=None) -> RecoveryAction:
    """Mark an open or in-progress action as won't do, saying why. Raises ValidationError
    (writing nothing) without a reason or when it is finished already."""
    page_changed_on_commit()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"wont_do_reason": "Say why this action won't be done."}, code="required"
        )
    return move(
        action,
        to=ActionState.WONT_DO,
        allowed_from=UNFINISHED_ACTION_STATES,
        message="This action is %(state)s already; reopen it first.",
        actor=actor,
        wont_do_reason=reason,
    )


@transaction.atomic
def reopen_recovery_action(*, action: RecoveryAction, actor=None) -> RecoveryAction:
    """Open a done or declined action again (clearing its completion time and reason).
    Raises ValidationError when it is not finished."""
    page_changed_on_commit()
    return move(
        action,
        to=ActionState.OPEN,
        allowed_from=FINISHED_ACTION_STATES,
        message="Only a done or declined action can be reopened; this one is %(state)s.",
        actor=actor,
        completed_at=None,
        wont_do_reason="",
    )


def mark_action_chased(*, action: RecoveryAction, today: date) -> bool:
    """Mark an unfinished action due before `today` chased today, and record the audit row;
    False when it is not chaseable or a concurrent run has marked it: the conditional UPDATE
    is the lock, and its committed row the memory that stops a second reminder today. The
    reminder itself is sent after this commits (notify.chase), so a failed send is never
    retried the same day."""
    with transaction.atomic():
        claimed = (
            RecoveryAction.objects.filter(
                pk=action.pk, state__in=UNFINISHED_ACTION_STATES, due_on__lt=today
            )
            .filter(Q(last_chased_on__isnull=True) | Q(last_chased_on__lt=today))
            .update(last_chased_on=today)
        )
        if claimed:
            summary = f"reminded {action.owner} (due {action.due_on})"
            record_audit(actor=None, action="chase", target=action, summary=summary)
    return claimed == 1
