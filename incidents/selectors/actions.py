"""Reads of recovery actions: one incident's, every unfinished or overdue one, and progress."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import F, Q, QuerySet
from django.utils.functional import Promise

from incidents.choices import UNFINISHED_ACTION_STATES, ActionKind, ActionState
from incidents.models import Incident, RecoveryAction


@dataclass(frozen=True)
class ActionProgress:
    """How far the actions of one kind have got: "Prevention: 3 of 5 done"."""

    kind: str
    label: str | Promise
    total: int
    done: int
    wont_do: int


def action_progress(actions: Iterable[RecoveryAction]) -> list[ActionProgress]:
    """Per kind present among `actions`, in ActionKind order: how many, how many are done and
    how many won't be done (no query: pass actions already read)."""
    counts: dict[str, list[int]] = {}
    for action in actions:
        total_done_declined = counts.setdefault(action.kind, [0, 0, 0])
        total_done_declined[0] += 1
        total_done_declined[1] += action.state == ActionState.DONE
        total_done_declined[2] += action.state == ActionState.WONT_DO
    return [
        ActionProgress(kind.value, kind.label, *counts[kind.value])
        for kind in ActionKind
        if kind.value in counts
    ]


def in_kind_order(actions: Iterable[RecoveryAction]) -> list[RecoveryAction]:
    """`actions` grouped by kind in ActionKind order (mitigation first), each kind's in the
    order given."""
    order = {kind: n for n, kind in enumerate(ActionKind.values)}
    return sorted(actions, key=lambda action: order.get(action.kind, len(order)))


def incident_actions(incident: Incident) -> list[RecoveryAction]:
    """Every recovery action of one incident with its owner and components, by due date
    (undated last)."""
    return list(
        RecoveryAction.objects.filter(incident=incident)
        .select_related("owner")
        .prefetch_related("components")
        .order_by(F("due_on").asc(nulls_last=True), "id")
    )


def open_actions() -> QuerySet[RecoveryAction]:
    """Unfinished actions across incidents, soonest due first (undated last), with their
    incident and owner."""
    return (
        RecoveryAction.objects.filter(state__in=UNFINISHED_ACTION_STATES)
        .select_related("incident", "owner")
        .order_by(F("due_on").asc(nulls_last=True), "id")
    )


def overdue_actions(today: date) -> QuerySet[RecoveryAction]:
    """Unfinished actions due before `today`, most overdue first, with incident and owner."""
    return open_actions().filter(due_on__lt=today)


def actions_to_chase(today: date) -> QuerySet[RecoveryAction]:
    """The overdue actions whose owner has an e-mail address and has not been reminded today."""
    return (
        overdue_actions(today)
        .filter(owner__isnull=False)
        .exclude(owner__email="")
        .filter(Q(last_chased_on__isnull=True) | Q(last_chased_on__lt=today))
    )


def action_of_incident(incident: Incident, public_id: str) -> RecoveryAction:
    """One recovery action of `incident`; raises RecoveryAction.DoesNotExist."""
    return (
        RecoveryAction.objects.filter(incident=incident, public_id=public_id)
        .select_related("owner", "incident")
        .prefetch_related("components")
        .get()
    )


def all_actions() -> QuerySet[RecoveryAction]:
    """Every recovery action, soonest due first (undated last), with incident and owner."""
    return (
        RecoveryAction.objects.select_related("incident", "owner")
        .prefetch_related("components")
        .order_by(F("due_on").asc(nulls_last=True), "id")
    )
