"""Reads of the reliability report."""

from datetime import datetime

from django.db.models import Prefetch

from incidents.choices import IncidentKind
from incidents.models import Component, Incident


def incidents_started_since(since: datetime) -> list[Incident]:
    """Public incidents (not maintenance, not an alert's draft) that started at or after
    `since`, with their post-mortems and their components' ids (two queries)."""
    return list(
        Incident.objects.public()
        .filter(kind=IncidentKind.INCIDENT, started_at__gte=since)
        .select_related("postmortem")
        .prefetch_related(Prefetch("components", queryset=Component.objects.only("id")))
    )
