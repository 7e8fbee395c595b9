"""Reads of the reliability report, and of the times an incident's public word is computed
from (incidents/public_word.py)."""

from datetime import datetime

from django.db.models import OuterRef, Prefetch, Subquery

from incidents.choices import IncidentKind
from incidents.models import Component, Incident, IncidentUpdate, ReceivedAlert
from incidents.public_word import UpdateTimes


def first_alert_start() -> Subquery:
    """The start of the earliest alert recorded on the outer incident (NULL: none was)."""
    alerts = ReceivedAlert.objects.filter(incident=OuterRef("pk")).order_by("starts_at")
    return Subquery(alerts.values("starts_at")[:1])


def incidents_started_since(since: datetime) -> list[Incident]:
    """Public incidents (not maintenance, not an alert's draft) that started at or after
    `since`, with their post-mortems, their components' ids, the times of their updates
    (`created_at`, `display_at`) and the start of their first alert as `first_alert_at`
    (three queries)."""
    return list(
        Incident.objects.public()
        .filter(kind=IncidentKind.INCIDENT, started_at__gte=since)
        .annotate(first_alert_at=first_alert_start())
        .select_related("postmortem")
        .prefetch_related(
            Prefetch("components", queryset=Component.objects.only("id")),
            Prefetch(
                "updates",
                queryset=IncidentUpdate.objects.only("incident_id", "created_at", "display_at"),
            ),
        )
    )


def public_word_times(incident: Incident) -> tuple[list[UpdateTimes], datetime | None]:
    """The (`created_at`, `display_at`) of each update of `incident`, and the start of its
    first alert (None: none was recorded on it). One query."""
    rows = list(
        IncidentUpdate.objects.filter(incident=incident)
        .annotate(first_alert_at=first_alert_start_of(incident))
        .values_list("created_at", "display_at", "first_alert_at")
    )
    first_alert_at = rows[0][2] if rows else None
    return [(created, shown) for created, shown, _ in rows], first_alert_at


def first_alert_start_of(incident: Incident) -> Subquery:
    """The start of the earliest alert recorded on `incident`, as a value of each row of its
    updates: one round trip for both."""
    alerts = ReceivedAlert.objects.filter(incident=incident).order_by("starts_at")
    return Subquery(alerts.values("starts_at")[:1])
