"""The first draft of a post-mortem's timeline: one entry per update of the incident (with the
component changes it made), and one per other status change of its components while the
impact lasted (a monitor that flipped a component before anyone declared anything, another
incident, a maintenance). Entries are written in English and, where the source has Japanese
text, in Japanese; each part of a Japanese entry (status, components, body) falls back to English
on its own when it has no Japanese text."""

from datetime import datetime

from django.utils import timezone, translation

from incidents.choices import ComponentStatus, IncidentStatus, StatusChangeSource
from incidents.models import (
    ComponentStatusChange,
    Incident,
    IncidentUpdate,
    PostMortem,
    PostMortemTimelineEntry,
)
from incidents.reliability import incident_figures


def label(choices, value: str, language: str) -> str:
    """The label of `value` among `choices`, in `language`."""
    with translation.override(language):
        try:
            return str(choices(value).label)
        except ValueError:
            return value


def component_name(component, language: str) -> str:
    return (component.name_ja if language == "ja" else "") or component.name


def change_line(component, old: str, new: str, language: str) -> str:
    old_label = label(ComponentStatus, old, language) if old else "—"
    new_label = label(ComponentStatus, new, language)
    return f"{component_name(component, language)}: {old_label} → {new_label}"


def update_text(update: IncidentUpdate, language: str) -> str:
    """ "**Identified** — body", then a list of the component changes the update made.

    Each part falls back on its own, as the incident page does: an update without a Japanese
    body still gets Japanese labels and component names around its English body, rather
    than an empty entry that the page would show wholly in English."""
    body = (update.body_ja if language == "ja" else "") or update.body
    if not body:
        return ""
    text = f"**{label(IncidentStatus, update.status, language)}** — {body}"
    changes = [
        f"- {change_line(c.component, c.old_status, c.new_status, language)}"
        for c in update.affected_components.all()
        if c.old_status != c.new_status
    ]
    return "\n\n".join([text, "\n".join(changes)]) if changes else text


def change_text(change: ComponentStatusChange, language: str) -> str:
    line = change_line(change.component, change.old_status, change.new_status, language)
    return f"{line} ({label(StatusChangeSource, change.source, language)})"


def other_changes(
    incident: Incident, updates: list[IncidentUpdate], start: datetime, end: datetime
) -> list[ComponentStatusChange]:
    """Status changes of the incident's components in [start, end] not made by its updates."""
    return list(
        ComponentStatusChange.objects.filter(
            component__in=incident.components.all(), created_at__gte=start, created_at__lte=end
        )
        .exclude(incident_update__in=[u.pk for u in updates])
        .select_related("component")
        .order_by("created_at", "id")
    )


def prefilled_entries(postmortem: PostMortem, incident: Incident) -> list[PostMortemTimelineEntry]:
    """Unsaved timeline entries for `postmortem`, oldest first (three to five queries)."""
    updates = list(
        incident.updates.prefetch_related("affected_components__component").order_by(
            "display_at", "id"
        )
    )
    entries = [
        PostMortemTimelineEntry(
            postmortem=postmortem,
            occurred_at=update.display_at,
            text=update_text(update, "en"),
            text_ja=update_text(update, "ja"),
            incident_update=update,
        )
        for update in updates
    ]
    impact = incident_figures(incident).durations
    end = incident.resolved_at or timezone.now()
    entries += [
        PostMortemTimelineEntry(
            postmortem=postmortem,
            occurred_at=change.created_at,
            text=change_text(change, "en"),
            text_ja=change_text(change, "ja"),
            status_change=change,
        )
        for change in other_changes(incident, updates, impact.impact_started_at, end)
    ]
    return sorted(entries, key=lambda entry: entry.occurred_at)
