"""Writes of post-mortems: start one (its timeline prefilled), edit its sections and timeline,
submit it for review, sign the review off (or send it back), publish and unpublish.

The review is a second pair of eyes: the person who submitted a post-mortem for review cannot
sign it off. Any change made while it is in review withdraws a sign-off already given, so the
text published is the text signed off.
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from incidents.announcements import announce_postmortem_published
from incidents.changes import page_changed_on_commit
from incidents.choices import (
    CLOSED_INCIDENT_STATUSES,
    EDITABLE_POSTMORTEM_STATUSES,
    DetectionMethod,
    IncidentKind,
    IncidentStatus,
    PostMortemStatus,
)
from incidents.models import Incident, PostMortem, PostMortemTimelineEntry
from incidents.models.postmortems import SECTIONS
from incidents.services.audit import field_changes, record_audit, saved_user
from incidents.services.postmortem_timeline import prefilled_entries
from incidents.services.timeline import CLOCK_SKEW, clean_text

EDITABLE_POSTMORTEM_FIELDS = frozenset(
    {
        *SECTIONS,
        *(f"{section}_ja" for section in SECTIONS),
        "detection_method",
        "impact_started_at",
        "detected_at",
        "notify_subscribers",
    }
)
MOMENT_FIELDS = ("impact_started_at", "detected_at")
# What a post-mortem must say before anyone is asked to review it.
REQUIRED_FOR_REVIEW = {
    "summary": "Write the summary before submitting for review.",
    "customer_impact": "Describe the customer impact before submitting for review.",
    "root_cause": "Write the root cause before submitting for review.",
    "detection_method": "Say how you learned of the incident before submitting for review.",
}


def locked(postmortem: PostMortem) -> PostMortem:
    return PostMortem.objects.select_for_update().select_related("incident").get(pk=postmortem.pk)


def validate_editable(postmortem: PostMortem) -> None:
    if postmortem.status not in EDITABLE_POSTMORTEM_STATUSES:
        raise ValidationError(
            "This post-mortem is published; unpublish it to change it.", code="published"
        )


def touch(postmortem: PostMortem, fields: list[str]) -> list[str]:
    """Stamp a change of `postmortem` (and withdraw its sign-off); return the fields to save."""
    postmortem.updated_at = timezone.now()
    fields = [*fields, "updated_at"]
    if postmortem.reviewed_at is not None:
        postmortem.reviewed_by = postmortem.reviewed_at = None
        fields += ["reviewed_by", "reviewed_at"]
    return fields


@transaction.atomic
def start_postmortem(*, incident: Incident, actor=None) -> PostMortem:
    """Start the post-mortem of a resolved incident, as a draft whose timeline is prefilled
    from the incident's updates and its components' status changes.

    Raises ValidationError (writing nothing) for a maintenance, an incident still open, or one
    that already has a post-mortem.
    """
    page_changed_on_commit()
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.kind != IncidentKind.INCIDENT:
        raise ValidationError("A scheduled maintenance has no post-mortem.", code="maintenance")
    if incident.status not in CLOSED_INCIDENT_STATUSES:
        raise ValidationError(
            "Resolve the incident before starting its post-mortem.", code="not_resolved"
        )
    if PostMortem.objects.filter(incident=incident).exists():
        raise ValidationError("This incident already has a post-mortem.", code="exists")
    postmortem = PostMortem.objects.create(incident=incident, author=saved_user(actor))
    entries = PostMortemTimelineEntry.objects.bulk_create(prefilled_entries(postmortem, incident))
    summary = f"{incident.name}: {len(entries)} timeline entries"
    record_audit(actor=actor, action="start_postmortem", target=postmortem, summary=summary)
    return postmortem


def clean_moment(value: datetime | None, *, field: str, incident: Incident) -> datetime | None:
    if value is None:
        return None
    if timezone.is_naive(value):
        raise ValidationError({field: "The time needs a time zone."}, code="naive")
    if value > incident.started_at:
        raise ValidationError(
            {
                field: "This is after the incident was declared "
                f"({incident.started_at:%Y-%m-%d %H:%M %Z}); leave it empty if it was then."
            },
            code="after_declared",
        )
    return value


def clean_postmortem_fields(changes: dict, incident: Incident) -> dict:
    unknown = set(changes) - EDITABLE_POSTMORTEM_FIELDS
    if unknown:
        raise TypeError(f"edit_postmortem() got unexpected fields: {sorted(unknown)}")
    cleaned = dict(changes)
    for field, value in changes.items():
        if field in MOMENT_FIELDS:
            cleaned[field] = clean_moment(value, field=field, incident=incident)
        elif field == "detection_method" and value and value not in DetectionMethod.values:
            raise ValidationError(
                {
                    field: f"“{value}” is not a way of learning of an incident; use one of "
                    f"{', '.join(DetectionMethod.values)}, or leave it empty."
                },
                code="invalid_choice",
            )
        elif isinstance(value, str):
            cleaned[field] = value.strip()
    return cleaned


@transaction.atomic
def edit_postmortem(*, postmortem: PostMortem, actor=None, **changes) -> PostMortem:
    """Change the sections, the recorded impact start and detection time, or the notify flag
    of a draft or in-review post-mortem (withdrawing its sign-off, if any).

    Raises ValidationError (writing nothing) when it is published or a value is invalid.
    """
    page_changed_on_commit()
    row = locked(postmortem)
    validate_editable(row)
    cleaned = clean_postmortem_fields(changes, row.incident)
    changes = field_changes(row, cleaned)
    changed = list(changes)
    if changed:
        for field in changed:
            setattr(row, field, cleaned[field])
        row.save(update_fields=touch(row, changed))
        record_audit(
            actor=actor, action="edit", target=row, summary=", ".join(changed), changes=changes
        )
    postmortem.refresh_from_db()
    return postmortem


def clean_entry(occurred_at: datetime | None, text: str | None) -> tuple[datetime | None, str]:
    if occurred_at is not None:
        if timezone.is_naive(occurred_at):
            raise ValidationError({"occurred_at": "The time needs a time zone."}, code="naive")
        if occurred_at > timezone.now() + CLOCK_SKEW:
            raise ValidationError(
                {"occurred_at": "The time can't be in the future."}, code="future"
            )
    return occurred_at, clean_text(text or "", field="text") if text is not None else ""


@transaction.atomic
def add_timeline_entry(
    *, postmortem: PostMortem, occurred_at: datetime, text: str, text_ja: str = "", actor=None
) -> PostMortemTimelineEntry:
    """Add an entry to the timeline of a draft or in-review post-mortem.

    Raises ValidationError (writing nothing) when it is published, the time is missing, naive
    or in the future, or the text is empty.
    """
    page_changed_on_commit()
    row = locked(postmortem)
    validate_editable(row)
    if occurred_at is None:
        raise ValidationError({"occurred_at": "This field is required."}, code="required")
    _, text = clean_entry(occurred_at, text)
    entry = PostMortemTimelineEntry.objects.create(
        postmortem=row, occurred_at=occurred_at, text=text, text_ja=(text_ja or "").strip()
    )
    row.save(update_fields=touch(row, []))
    record_audit(actor=actor, action="add_timeline_entry", target=row, summary=text[:200])
    return entry


@transaction.atomic
def edit_timeline_entry(
    *,
    entry: PostMortemTimelineEntry,
    actor=None,
    occurred_at: datetime | None = None,
    text: str | None = None,
    text_ja: str | None = None,
) -> PostMortemTimelineEntry:
    """Change the time or the text of a timeline entry (None leaves a value as it is).

    Raises ValidationError (writing nothing) when the post-mortem is published or a value is
    invalid.
    """
    page_changed_on_commit()
    row = locked(entry.postmortem)
    validate_editable(row)
    occurred_at, cleaned_text = clean_entry(occurred_at, text)
    values = {
        "occurred_at": occurred_at,
        "text": cleaned_text if text is not None else None,
        "text_ja": text_ja.strip() if text_ja is not None else None,
    }
    changes = field_changes(entry, {f: v for f, v in values.items() if v is not None})
    changed = list(changes)
    if changed:
        for field in changed:
            setattr(entry, field, values[field])
        entry.updated_at = timezone.now()
        entry.save(update_fields=[*changed, "updated_at"])
        row.save(update_fields=touch(row, []))
        summary = f"timeline entry {entry.pk}: {', '.join(changed)}"
        record_audit(
            actor=actor,
            action="edit_timeline_entry",
            target=row,
            summary=summary,
            changes=changes,
        )
    return entry


@transaction.atomic
def delete_timeline_entry(*, entry: PostMortemTimelineEntry, actor=None) -> None:
    """Remove an entry from the timeline of a draft or in-review post-mortem."""
    page_changed_on_commit()
    row = locked(entry.postmortem)
    validate_editable(row)
    summary = f"timeline entry {entry.pk}: {entry.text[:200]}"
    # By primary key: the caller's instance keeps its pk (a form may still look at it).
    PostMortemTimelineEntry.objects.filter(pk=entry.pk).delete()
    row.save(update_fields=touch(row, []))
    record_audit(actor=actor, action="delete_timeline_entry", target=row, summary=summary)


def validate_status(postmortem: PostMortem, expected: str, message: str) -> None:
    if postmortem.status != expected:
        raise ValidationError(message, code="wrong_status")


@transaction.atomic
def submit_for_review(*, postmortem: PostMortem, actor=None) -> PostMortem:
    """Move a draft to review. Raises ValidationError (writing nothing) when it is not a
    draft, or when the summary, customer impact, root cause or detection method is missing."""
    page_changed_on_commit()
    row = locked(postmortem)
    status_word = row.get_status_display().lower()
    validate_status(
        row,
        PostMortemStatus.DRAFT,
        f"Only a draft can be submitted for review; this post-mortem is {status_word}.",
    )
    missing = {
        field: message for field, message in REQUIRED_FOR_REVIEW.items() if not getattr(row, field)
    }
    if missing:
        raise ValidationError(missing, code="incomplete")
    row.status = PostMortemStatus.IN_REVIEW
    row.submitted_by, row.submitted_at = saved_user(actor), timezone.now()
    row.save(update_fields=touch(row, ["status", "submitted_by", "submitted_at"]))
    record_audit(actor=actor, action="submit_for_review", target=row)
    postmortem.refresh_from_db()
    return postmortem


@transaction.atomic
def sign_off_review(*, postmortem: PostMortem, reviewer) -> PostMortem:
    """Record the reviewer's sign-off of a post-mortem in review.

    Raises ValidationError (writing nothing) when it is not in review, is signed off already,
    there is no reviewer, or the reviewer is the person who submitted it for review.
    """
    page_changed_on_commit()
    row = locked(postmortem)
    validate_status(
        row, PostMortemStatus.IN_REVIEW, "Only a post-mortem in review can be signed off."
    )
    if saved_user(reviewer) is None:
        raise ValidationError("A review is signed off by a signed-in person.", code="no_reviewer")
    if row.reviewed_at is not None:
        raise ValidationError(
            f"{row.reviewed_by or 'Someone'} has already signed this review off.",
            code="signed_off",
        )
    if row.submitted_by_id == reviewer.pk:
        raise ValidationError(
            "You submitted this post-mortem for review; someone else must sign it off.",
            code="own_review",
        )
    row.reviewed_by, row.reviewed_at = reviewer, timezone.now()
    row.updated_at = row.reviewed_at
    row.save(update_fields=["reviewed_by", "reviewed_at", "updated_at"])
    record_audit(actor=reviewer, action="sign_off_review", target=row)
    postmortem.refresh_from_db()
    return postmortem


@transaction.atomic
def return_to_draft(*, postmortem: PostMortem, actor=None) -> PostMortem:
    """Send a post-mortem in review back to its authors (withdrawing any sign-off)."""
    page_changed_on_commit()
    row = locked(postmortem)
    validate_status(
        row, PostMortemStatus.IN_REVIEW, "Only a post-mortem in review can go back to draft."
    )
    row.status = PostMortemStatus.DRAFT
    row.submitted_by = row.submitted_at = None
    row.save(update_fields=touch(row, ["status", "submitted_by", "submitted_at"]))
    record_audit(actor=actor, action="return_to_draft", target=row)
    postmortem.refresh_from_db()
    return postmortem


def set_incident_status(incident: Incident, status: str, *, actor) -> None:
    changes = {"status": (incident.status, status)}
    incident.status = status
    incident.updated_at = timezone.now()
    incident.save(update_fields=["status", "updated_at"])
    record_audit(actor=actor, action="set_status", target=incident, summary=status, changes=changes)


@transaction.atomic
def publish_postmortem(*, postmortem: PostMortem, actor=None) -> PostMortem:
    """Publish a signed-off post-mortem and set its incident's status to `postmortem` (as
    Statuspage does); the public page and feeds show it once this commits.

    With `notify_subscribers` set, the announcement is handed to the notifications in the
    same transaction (incidents.announcements), so it is recorded exactly when the
    publication is.
    Raises ValidationError (writing nothing) when the post-mortem is not in review or not
    signed off, or the incident is open again.
    """
    page_changed_on_commit()
    row = locked(postmortem)
    incident = Incident.objects.select_for_update().get(pk=row.incident_id)
    validate_status(
        row,
        PostMortemStatus.IN_REVIEW,
        "Only a reviewed post-mortem can be published; submit it for review first."
        if row.status == PostMortemStatus.DRAFT
        else "This post-mortem is published already.",
    )
    if row.reviewed_at is None:
        raise ValidationError("Sign off the review before publishing.", code="not_signed_off")
    if incident.status != IncidentStatus.RESOLVED:
        raise ValidationError(
            "The incident is open again; resolve it before publishing its post-mortem.",
            code="incident_open",
        )
    row.status, row.published_at = PostMortemStatus.PUBLISHED, timezone.now()
    row.updated_at = row.published_at
    row.save(update_fields=["status", "published_at", "updated_at"])
    set_incident_status(incident, IncidentStatus.POSTMORTEM, actor=actor)
    record_audit(actor=actor, action="publish", target=row, summary=incident.name)
    if row.notify_subscribers:
        announce_postmortem_published(row)
    postmortem.refresh_from_db()
    return postmortem


@transaction.atomic
def unpublish_postmortem(*, postmortem: PostMortem, actor=None) -> PostMortem:
    """Take a published post-mortem back to draft (it needs a new review to be published
    again) and its incident back to `resolved`.

    Raises ValidationError (writing nothing) when it is not published.
    """
    page_changed_on_commit()
    row = locked(postmortem)
    incident = Incident.objects.select_for_update().get(pk=row.incident_id)
    validate_status(
        row, PostMortemStatus.PUBLISHED, "Only a published post-mortem can be unpublished."
    )
    row.status, row.published_at = PostMortemStatus.DRAFT, None
    row.submitted_by = row.submitted_at = None
    row.save(update_fields=touch(row, ["status", "published_at", "submitted_by", "submitted_at"]))
    if incident.status == IncidentStatus.POSTMORTEM:
        set_incident_status(incident, IncidentStatus.RESOLVED, actor=actor)
    record_audit(actor=actor, action="unpublish", target=row, summary=incident.name)
    postmortem.refresh_from_db()
    return postmortem
