"""The audit trail written beside every write: who (the actor's name as it is now), what (the
action, the object as it is named now, the changed fields' old and new values), when, and
where from (incidents.audit_context: the source and the client's address)."""

import ipaddress
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from django.db import models
from django.utils import timezone

from incidents.audit_context import current_source
from incidents.models import AuditEntry

# A changed value is kept to this many characters (the summary to SUMMARY_LENGTH).
VALUE_LENGTH = 200
SUMMARY_LENGTH = 2000
# A field whose name holds one of these is a credential (an API key's or an alert token's
# digest, a password's hash, a webhook's secret): the trail says it changed, never to what.
SECRET_WORDS = ("secret", "token", "digest", "password", "hash", "webhook")
HIDDEN = "(hidden)"

Changes = Mapping[str, tuple[Any, Any]]


def saved_user(actor):
    """`actor` when it is a saved user, else None (services are called with None, anonymous
    users and unsaved ones alike; only a saved user can be written to a foreign key)."""
    return actor if getattr(actor, "pk", None) else None


def record_audit(
    *,
    actor,
    action: str,
    target: models.Model | type[models.Model],
    summary: str = "",
    changes: Changes | None = None,
    secret_fields: Iterable[str] = (),
    actor_name: str | None = None,
) -> AuditEntry:
    """Write one audit row: who did what to which object (or, given a model class, to many of
    its rows at once, e.g. an import or an export), with the old and new value of each field in
    `changes` (cut short; those named in `secret_fields`, or whose name says they are a
    credential, hidden). The source and client address come from the current request or task
    (incidents.audit_context), and so does the actor when `actor` is None and a member is
    signed in to the request (a console step that calls a service without naming its member).
    `actor_name` names an actor who is not, or not known to be, a member (a refused sign-in's
    user name as typed): the row then links `actor` alone. Call inside the write's transaction.

    Writes nothing else: a write that changes the public page says so itself, first
    (incidents.changes.page_changed_on_commit).
    """
    where = current_source()
    user = saved_user(actor)
    if actor_name is None:
        user = user or saved_user(where.member())
        actor_name = user.get_username() if user else ""
    instance = None if isinstance(target, type) else target
    return AuditEntry.objects.create(
        actor=user,
        actor_name=actor_name[:150],
        action=action,
        object_type=target._meta.model_name or "",
        object_id=""
        if instance is None
        else str(getattr(instance, "public_id", None) or instance.pk),
        object_repr=cut(str(instance), VALUE_LENGTH) if instance is not None else "",
        summary=summary[:SUMMARY_LENGTH],
        changes=audited_changes(changes or {}, secret_fields=secret_fields),
        source=where.source[:100],
        address=valid_address(where.address),
    )


def record_export(*, actor, target: models.Model | type[models.Model], summary: str) -> AuditEntry:
    """Record that `actor` exported `target` (one row, or rows of a model: what and how many
    in `summary`)."""
    return record_audit(actor=actor, action="export", target=target, summary=summary)


def field_changes(obj: models.Model, values: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """{field: (value on `obj`, value in `values`)} for the fields whose value differs."""
    return {
        field: (getattr(obj, field), value)
        for field, value in values.items()
        if getattr(obj, field) != value
    }


def save_changes(obj: models.Model, changes: dict, *, actor) -> list[str]:
    """Set the fields of `changes` that differ on `obj`, validate it, save them with a new
    `updated_at` and audit the edit with the old and new values; the names of the fields
    changed (none: nothing written)."""
    before_after = field_changes(obj, changes)
    changed = list(before_after)
    if changed:
        for field in changed:
            setattr(obj, field, changes[field])
        obj.updated_at = timezone.now()  # type: ignore[attr-defined]
        obj.full_clean()
        obj.save(update_fields=[*changed, "updated_at"])
        record_audit(
            actor=actor, action="edit", target=obj, summary=", ".join(changed), changes=before_after
        )
    return changed


def audited_changes(changes: Changes, *, secret_fields: Iterable[str] = ()) -> dict[str, list]:
    """The changes as the trail keeps them: {field: [old, new]}, each value as short text."""
    hidden = set(secret_fields)
    kept = {}
    for field, (old, new) in changes.items():
        if field in hidden or any(word in field.lower() for word in SECRET_WORDS):
            kept[field] = [HIDDEN, HIDDEN]
        else:
            kept[field] = [as_text(old), as_text(new)]
    return kept


def as_text(value: Any) -> str:
    """A field's value as the trail writes it: times in ISO 8601 (UTC), several values as a
    sorted list, nothing as ""; at most VALUE_LENGTH characters."""
    if value is None:
        text = ""
    elif isinstance(value, datetime):
        text = value.astimezone(UTC).isoformat() if timezone.is_aware(value) else str(value)
    elif isinstance(value, date):
        text = value.isoformat()
    elif isinstance(value, set | frozenset | list | tuple | models.QuerySet):
        text = ", ".join(sorted(str(item) for item in value))
    else:
        text = str(value)
    return cut(text, VALUE_LENGTH)


def cut(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def valid_address(address: str | None) -> str | None:
    """The client's address as an IP address, or None (a Unix socket, a test client)."""
    try:
        return str(ipaddress.ip_address(address or ""))
    except ValueError:
        return None
