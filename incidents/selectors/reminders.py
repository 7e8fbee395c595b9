"""Reads of the update reminders: the open incidents that have been silent for a whole interval
of the page's reminder minutes, and whom to remind of each.

"Silent" counts from the incident's last public word (incidents.public_word): when its newest
update was posted, or when it was published if it was an alert's draft. Maintenance is left
out: a window in progress was announced ahead with its end, and moves by its own schedule; its
silence is not a question customers are left with. So is a backfilled incident, a record of
the past.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Max, Q

from incidents.choices import UNRESOLVED_INCIDENT_STATUSES, IncidentKind
from incidents.models import Incident
from incidents.public_word import last_public_word_at

# The permission group whose members are reminded of every silent incident (migration 0002).
ON_CALL_GROUP = "On-call"


@dataclass(frozen=True)
class SilentIncident:
    """An open incident without a public update since `last_word_at`, and the end of its latest
    whole interval of silence (`due_at`): what a reminder is claimed for."""

    incident: Incident
    last_word_at: datetime
    due_at: datetime

    def silence(self, now: datetime) -> timedelta:
        return now - self.last_word_at


def silence_due_at(last_word_at: datetime, *, now: datetime, minutes: int) -> datetime | None:
    """The end of the latest whole interval of `minutes` since `last_word_at` (None: the first
    has not ended yet). After two hours of silence with 30-minute intervals: the 4th end."""
    interval = timedelta(minutes=minutes)
    intervals = (now - last_word_at) // interval
    return last_word_at + intervals * interval if intervals >= 1 else None


def silent_incidents(*, now: datetime, minutes: int) -> list[SilentIncident]:
    """The open public incidents (not maintenance, an alert's draft or a backfilled record)
    whose last public word is at least `minutes` old and whose latest interval of silence has
    not been reminded of yet, oldest word first (1 query)."""
    rows = (
        Incident.objects.public()
        .filter(
            kind=IncidentKind.INCIDENT,
            status__in=UNRESOLVED_INCIDENT_STATUSES,
            backfilled=False,
        )
        .annotate(
            newest_created_at=Max("updates__created_at"),
            newest_display_at=Max("updates__display_at"),
        )
    )
    found = []
    for incident in rows:
        newest = (incident.newest_created_at, incident.newest_display_at)  # type: ignore[attr-defined]
        last_word = last_public_word_at(incident, newest)
        due = silence_due_at(last_word, now=now, minutes=minutes)
        reminded = incident.silence_reminded_for
        if due is not None and (reminded is None or reminded < due):
            found.append(SilentIncident(incident, last_word, due))
    return sorted(found, key=lambda silent: (silent.last_word_at, silent.incident.pk))


def reminder_recipients(incident: Incident) -> list:
    """The active console members with an e-mail address to remind of `incident`: its author
    first, then the On-call group's members by user name; each once (1 query)."""
    author_id = incident.created_by_id
    members = (
        get_user_model()
        .objects.filter(is_active=True)
        .exclude(email="")
        .filter(Q(groups__name=ON_CALL_GROUP) | Q(pk=author_id))
        .distinct()
        .order_by("username")
    )
    return sorted(members, key=lambda member: member.pk != author_id)
