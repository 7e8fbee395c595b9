"""Reads of the component status history that the uptime figures are computed from."""

from datetime import datetime

from django.db.models import OuterRef, Subquery

from incidents.models import Component, ComponentStatusChange


def statuses_before(component_ids: list[int], moment: datetime) -> dict[int, str | None]:
    """The status each component had just before `moment` (None when its history starts
    later), in one query."""
    before = ComponentStatusChange.objects.filter(
        component=OuterRef("pk"), created_at__lt=moment
    ).order_by("-created_at", "-id")
    return dict(
        Component.objects.filter(pk__in=component_ids)
        .annotate(opening=Subquery(before.values("new_status")[:1]))
        .values_list("pk", "opening")
    )


def status_changes(
    component_ids: list[int], *, start: datetime, end: datetime
) -> list[tuple[int, datetime, str]]:
    """(component id, when, new status) of every change of these components in [start, end],
    oldest first, in one query."""
    return list(
        ComponentStatusChange.objects.filter(
            component__in=component_ids, created_at__gte=start, created_at__lte=end
        )
        .order_by("created_at", "id")
        .values_list("component_id", "created_at", "new_status")
    )


def first_status_change_at(component_id: int) -> datetime | None:
    """When the component's status history starts (where its uptime calendars stop)."""
    return (
        ComponentStatusChange.objects.filter(component_id=component_id)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
