"""The audit trail written beside every service write."""

from django.db import models
from django.utils import timezone

from incidents.models import AuditEntry


def saved_user(actor):
    """`actor` when it is a saved user, else None (services are called with None, anonymous
    users and unsaved ones alike; only a saved user can be written to a foreign key)."""
    return actor if getattr(actor, "pk", None) else None


def record_audit(
    *, actor, action: str, target: models.Model | type[models.Model], summary: str = ""
) -> AuditEntry:
    """Write one audit row: who did what to which object (or, given a model class, to many of
    its rows at once, e.g. an import). Call inside the write's transaction.

    Writes nothing else: a write that changes the public page says so itself, first
    (incidents.changes.page_changed_on_commit).
    """
    user = saved_user(actor)
    return AuditEntry.objects.create(
        actor=user,
        actor_name=user.get_username() if user else "",
        action=action,
        object_type=target._meta.model_name or "",
        object_id=""
        if isinstance(target, type)
        else str(getattr(target, "public_id", None) or target.pk),
        summary=summary[:2000],
    )


def save_changes(obj: models.Model, changes: dict, *, actor) -> list[str]:
    """Set the fields of `changes` that differ on `obj`, validate it, save them with a new
    `updated_at` and audit the edit; the names of the fields changed (none: nothing written)."""
    changed = [field for field, value in changes.items() if getattr(obj, field) != value]
    if changed:
        for field in changed:
            setattr(obj, field, changes[field])
        obj.updated_at = timezone.now()  # type: ignore[attr-defined]
        obj.full_clean()
        obj.save(update_fields=[*changed, "updated_at"])
        record_audit(actor=actor, action="edit", target=obj, summary=", ".join(changed))
    return changed
