"""Reads of the incident export."""

from django.db.models import Prefetch

from incidents.models import Incident, IncidentUpdate


def incident_for_export(public_id: str) -> Incident:
    """The incident with everything the export shows; raises Incident.DoesNotExist."""
    updates = IncidentUpdate.objects.select_related("author").prefetch_related(
        "affected_components__component"
    )
    return (
        Incident.objects.filter(public_id=public_id)
        .prefetch_related("components", Prefetch("updates", queryset=updates))
        .get()
    )
