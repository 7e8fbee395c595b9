"""Refuse an exact repeat of what was just posted.

A console form carries a one-time key, so a double click or a resent request posts once
(incidents.admin.once). But a form the browser fetches again — back, then submit, on a page no
cache may keep — brings a new key with the same words, and a script retrying without an
Idempotency-Key has none: the same incident, or the same update, would be posted (and sent to
every subscriber) twice. Within REPEAT_WINDOW an exact repeat is refused with a ValidationError
that names the earlier post, and nothing is written; anything that differs goes through.
"""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError

from incidents.choices import IncidentKind
from incidents.models import Incident

REPEAT_WINDOW = timedelta(minutes=10)


def ago(delta: timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    return f"{seconds} s" if seconds < 120 else f"{seconds // 60} min"


def refuse_repeated_opening(*, kind: str, name: str, body: str, now: datetime) -> None:
    """Raise when an incident (or maintenance) of this name, whose first update says `body`,
    was opened within the window."""
    earlier = (
        Incident.objects.filter(
            kind=kind, name=name, created_at__gt=now - REPEAT_WINDOW, updates__body=body
        )
        .order_by("-created_at")
        .first()
    )
    if earlier is None:
        return
    verb = "declared" if kind == IncidentKind.INCIDENT else "scheduled"
    raise ValidationError(
        {
            "name": f"“{name}” was {verb} {ago(now - earlier.created_at)} ago with this same "
            f"text; it was not {verb} again. To {verb[:-1]} another, give it another name or text."
        },
        code="repeat",
    )


def refuse_repeated_update(incident: Incident, *, status: str, body: str, now: datetime) -> None:
    """Raise when the incident's latest update, posted within the window, has this status and
    says `body`. Call with the incident's row locked, so that two posts cannot both pass."""
    latest = incident.updates.order_by("-created_at", "-id").first()
    if latest is None or (latest.status, latest.body) != (status, body):
        return
    if now - latest.created_at >= REPEAT_WINDOW:
        return
    raise ValidationError(
        {
            "body": f"This update was posted {ago(now - latest.created_at)} ago; it was not "
            "posted again. Change its status or text to post another."
        },
        code="repeat",
    )
