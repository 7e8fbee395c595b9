"""Writes on an alert's draft: publish it (public from then on, its first update announced, once)
or discard it (kept, never public, the components it held released); and beat's publishing of
the drafts whose alerts have kept firing for their integration's N minutes."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from incidents import selectors
from incidents.announcements import announce_update
from incidents.changes import page_changed_on_commit
from incidents.choices import (
    UNRESOLVED_INCIDENT_STATUSES,
    ComponentStatus,
    DraftState,
    StatusChangeSource,
)
from incidents.models import AlertGroup, Component, Incident
from incidents.services.audit import record_audit
from incidents.services.timeline import append_update, refresh_incident

# Statuses an alert never moves a component out of by resolving (maintenance belongs to its
# window).
LEFT_ALONE = (ComponentStatus.OPERATIONAL, ComponentStatus.UNDER_MAINTENANCE)


def is_open(incident: Incident) -> bool:
    """Whether an alert group's incident takes the group's alerts: a draft, or published and
    not resolved."""
    return (
        incident.draft_state != DraftState.DISCARDED
        and incident.status in UNRESOLVED_INCIDENT_STATUSES
    )


def release_components(components: Iterable[Component]) -> list[Component]:
    """Of these components (locked by the caller), those to return to operational: neither
    operational nor under maintenance, and held by no firing alert nor open incident people
    declared (selectors.components_held)."""
    candidates = [c for c in components if c.status not in LEFT_ALONE]
    held = selectors.components_held(c.pk for c in candidates)
    return [c for c in candidates if c.pk not in held]


@transaction.atomic
def publish_draft(*, incident: Incident, actor=None, reason: str = "") -> bool:
    """Make a draft public and announce its first update; return whether this call did.

    The draft is claimed with a conditional UPDATE (draft → published): of two calls at once
    (a double click, two beats), one publishes and announces, the other finds it published
    and does nothing, as does a call on an incident that is public already. Raises
    ValidationError, writing nothing, for a discarded draft.
    """
    now = timezone.now()
    claimed = Incident.objects.filter(pk=incident.pk, draft_state=DraftState.DRAFT).update(
        draft_state=DraftState.PUBLISHED, published_at=now, updated_at=now
    )
    if not claimed:
        if Incident.objects.filter(pk=incident.pk, draft_state=DraftState.DISCARDED).exists():
            raise ValidationError("This draft was discarded; it cannot be published.", "discarded")
        return False
    page_changed_on_commit()
    published = Incident.objects.get(pk=incident.pk)
    first = published.updates.order_by("id").first()
    if first is not None and first.deliver_notifications:
        first.incident = published
        announce_update(first)
    record_audit(actor=actor, action="publish", target=published, summary=reason or "published")
    incident.refresh_from_db()
    return True


@transaction.atomic
def discard_draft(*, incident: Incident, actor=None) -> bool:
    """Mark a draft discarded (kept, never public, announced to nobody) and return the
    components it holds to operational unless something else holds them (noted on it).
    Return whether this call discarded it: a discarded draft is left as it is. Raises
    ValidationError, writing nothing, for a published incident (resolve it instead).
    """
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    if locked.draft_state == DraftState.DISCARDED:
        return False
    if locked.draft_state == DraftState.PUBLISHED:
        raise ValidationError(
            "This incident is public; resolve it instead of discarding it.", "published"
        )
    now = timezone.now()
    locked.draft_state = DraftState.DISCARDED
    locked.updated_at = now
    locked.save(update_fields=["draft_state", "updated_at"])
    held = Component.objects.select_for_update().filter(incidents=locked).order_by("pk")
    released = release_components(held)
    if released:
        append_update(
            incident=locked,
            status=locked.status,
            body=f"Discarded. Back to operational: {', '.join(str(c) for c in released)}.",
            component_statuses=dict.fromkeys(released, ComponentStatus.OPERATIONAL),
            deliver_notifications=False,
            author=actor,
            display_at=now,
            source=StatusChangeSource.ALERT,
        )
        refresh_incident(locked, status=locked.status, fields=[])
    record_audit(actor=actor, action="discard", target=locked, summary=locked.name)
    incident.refresh_from_db()
    return True


def is_due(group: AlertGroup, now: datetime) -> bool:
    """Whether the group's alerts have fired for its integration's auto-publish minutes."""
    minutes = group.integration.auto_publish_minutes
    if group.firing_since is None or minutes is None or not group.integration.enabled:
        return False
    return group.firing_since + timedelta(minutes=minutes) <= now


def publish_due_drafts(*, now: datetime | None = None) -> list[str]:
    """Publish each draft whose alerts have kept firing for its integration's auto-publish
    minutes; return their public ids.

    Each is re-checked under a lock of its group's row (a delivery that resolved the alerts
    meanwhile wins) and published through publish_draft's claim, so that overlapping runs
    or a rerun publish and announce each draft once.
    """
    now = now or timezone.now()
    published = []
    for pk in selectors.alert_groups_due(now):
        with transaction.atomic():
            group = AlertGroup.objects.select_for_update().select_related("integration").get(pk=pk)
            if group.incident_id is None or not is_due(group, now):
                continue
            minutes = group.integration.auto_publish_minutes
            incident = Incident.objects.get(pk=group.incident_id)
            try:
                done = publish_draft(
                    incident=incident, reason=f"published automatically: firing for {minutes} min"
                )
            except ValidationError:
                continue  # discarded meanwhile
            if done:
                published.append(incident.public_id)
    return published
