"""Reads of post-mortems: the console's view of one, and the published one the public sees."""

from django.db.models import Prefetch, QuerySet

from incidents.choices import DraftState, IncidentKind, PostMortemStatus
from incidents.models import (
    Component,
    Incident,
    PostMortem,
    PostMortemTimelineEntry,
    RecoveryAction,
)


def entries_in_order() -> Prefetch:
    return Prefetch(
        "timeline_entries",
        queryset=PostMortemTimelineEntry.objects.order_by("occurred_at", "id"),
    )


def postmortem_for_incident(incident: Incident) -> PostMortem | None:
    """The incident's post-mortem with its people and timeline entries (oldest first), or
    None when nobody has started one."""
    return (
        PostMortem.objects.filter(incident=incident)
        .select_related("incident", "author", "submitted_by", "reviewed_by")
        .prefetch_related(entries_in_order())
        .first()
    )


def published_postmortem(public_id: str) -> PostMortem:
    """The published post-mortem of the incident with `public_id`, with its incident, the
    incident's components, the timeline entries (oldest first) and the incident's public
    recovery actions, oldest first, as `incident.public_actions`, in four queries.

    Raises PostMortem.DoesNotExist when there is no such incident or its post-mortem is not
    published.
    """
    public_actions = RecoveryAction.objects.filter(public=True).order_by("id")
    rows: QuerySet[PostMortem] = PostMortem.objects.filter(
        status=PostMortemStatus.PUBLISHED,
        incident__public_id=public_id,
        incident__kind=IncidentKind.INCIDENT,
        incident__draft_state=DraftState.PUBLISHED,
    )
    return (
        rows.select_related("incident")
        .prefetch_related(
            entries_in_order(),
            Prefetch("incident__components", queryset=Component.objects.select_related("group")),
            Prefetch(
                "incident__recovery_actions", queryset=public_actions, to_attr="public_actions"
            ),
        )
        .get()
    )
