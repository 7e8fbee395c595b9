"""Correcting a posted update's text: a typo fixed on the page, the feeds and the APIs, the
original kept in the audit log, nobody notified again."""

from django.db import transaction
from django.utils import timezone

from incidents.changes import page_changed_on_commit
from incidents.models import Incident, IncidentUpdate
from incidents.services.audit import record_audit
from incidents.services.timeline import clean_text

# How much of each text the audit row keeps: the original gets the room (the new text is on
# the page), and two fields edited at once still fit the audit summary's 2,000 characters.
ORIGINAL_EXCERPT = 700
NEW_EXCERPT = 200


def excerpt(text: str, limit: int) -> str:
    """`text` quoted, cut to `limit` characters with an ellipsis when longer."""
    cut = text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
    return f"“{cut}”"


def edit_summary(update: IncidentUpdate, changes: dict[str, str]) -> str:
    """Which update of which incident, then each field as “before” → “after”."""
    lines = [f"update {update.public_id} of incident {update.incident.public_id}"]
    for field, new in changes.items():
        before = excerpt(getattr(update, field), ORIGINAL_EXCERPT)
        lines.append(f"{field}: {before} → {excerpt(new, NEW_EXCERPT)}")
    return "\n".join(lines)


def text_changes(update: IncidentUpdate, *, body: str | None, body_ja: str | None) -> dict:
    """The validated texts that differ from the update's (posting's rules: the English body
    is required, the Japanese one may be empty)."""
    changes = {}
    if body is not None:
        body = clean_text(body, field="body")
        if body != update.body:
            changes["body"] = body
    if body_ja is not None and body_ja.strip() != update.body_ja:
        changes["body_ja"] = body_ja.strip()
    return changes


@transaction.atomic
def edit_update_text(
    *, update: IncidentUpdate, body: str | None = None, body_ja: str | None = None, actor
) -> IncidentUpdate:
    """Correct the English and/or Japanese text of a posted update (of an incident or a
    maintenance, open or closed); None leaves a text as it is.

    Sets edited_at and updated_at (the public page marks the update as edited; /api/v2's
    `updated_at` moves), moves the incident's updated_at, records the original and the new
    text in the audit log and marks the public page changed on commit. Announces nothing:
    subscribers told of the update are not told again. A post-mortem's timeline entries that
    were prefilled from this update keep the text they were written with.
    An unchanged text writes nothing. Raises ValidationError (and writes nothing) when the
    English text is empty. Returns the update, refreshed.
    """
    locked = IncidentUpdate.objects.select_for_update().select_related("incident").get(pk=update.pk)
    changes = text_changes(locked, body=body, body_ja=body_ja)
    if not changes:
        return locked
    page_changed_on_commit()
    summary = edit_summary(locked, changes)
    before_after = {field: (getattr(locked, field), new) for field, new in changes.items()}
    now = timezone.now()
    for field, value in changes.items():
        setattr(locked, field, value)
    locked.edited_at = locked.updated_at = now
    locked.save(update_fields=[*changes, "edited_at", "updated_at"])
    Incident.objects.filter(pk=locked.incident_id).update(updated_at=now)
    record_audit(
        actor=actor,
        action="edit_update_text",
        target=locked,
        summary=summary,
        changes=before_after,
    )
    update.refresh_from_db()
    return locked
