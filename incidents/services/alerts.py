"""Alerts in: what monitoring sends opens a draft incident for its group of alerts, or adds to
the incident the group has open; alerts that fire and resolve move the components their labels
map to.

A delivery is one transaction under a lock of its integration's row, so two deliveries of one
integration (Alertmanager's replicas sending the same group) never interleave. Every alert
state received is kept (ReceivedAlert: one row per alert, start and status); a state that
comes again is found there, so a delivery repeated writes nothing at all.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from incidents import selectors
from incidents.alert_tokens import digest_of
from incidents.choices import (
    COMPONENT_STATUS_SEVERITY,
    AlertStatus,
    ComponentStatus,
    DraftState,
    IncidentKind,
    IncidentStatus,
    StatusChangeSource,
)
from incidents.models import AlertGroup, AlertIntegration, Component, Incident, ReceivedAlert
from incidents.services.alert_texts import draft_name, firing_text, note_text
from incidents.services.audit import record_audit
from incidents.services.components import set_component_status
from incidents.services.drafts import is_open, release_components
from incidents.services.timeline import append_update, refresh_incident


@dataclass(frozen=True)
class IncomingAlert:
    """One alert of a delivery, as its sender states it."""

    fingerprint: str
    status: str  # AlertStatus
    name: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    # None from a sender that states only firing or resolved: the start is the moment Noroshi
    # first heard it fire.
    starts_at: datetime | None = None
    ends_at: datetime | None = None


@dataclass(frozen=True)
class AlertDelivery:
    """One delivery: a group of alerts (Alertmanager's groupKey) and what they share."""

    group_key: str
    alerts: list[IncomingAlert]
    group_labels: dict[str, str] = field(default_factory=dict)
    common_labels: dict[str, str] = field(default_factory=dict)
    common_annotations: dict[str, str] = field(default_factory=dict)
    title: str = ""


@dataclass(frozen=True)
class AlertState:
    """An alert state not received before, its start settled, with the components it maps to."""

    alert: IncomingAlert
    starts_at: datetime
    components: list[Component]

    @property
    def firing(self) -> bool:
        return self.alert.status == AlertStatus.FIRING


@dataclass(frozen=True)
class Receipt:
    """What a delivery did: the incident its alerts went to (None: none is open and nothing
    new fired), how many alert states were new, and whether it opened the incident."""

    incident: Incident | None
    new_states: int
    opened: bool


@transaction.atomic
def receive_alerts(
    *, integration: AlertIntegration, delivery: AlertDelivery, now: datetime | None = None
) -> Receipt:
    """Record a delivery's new alert states and act on them, in one transaction.

    New firing alerts of a group without an open incident open a draft (named from the
    alerts, its first update listing them, announced only when it is published). To an open
    draft, new states are added as a note (an update announced to nobody); to a published
    incident, only their component changes. Mapped components take the integration's status
    while an alert fires (never a better one than they have; maintenance is left alone) and
    return to operational when no firing alert, nor any open incident people declared, holds
    them. A delivery with nothing new writes nothing.
    """
    now = now or timezone.now()
    integration = AlertIntegration.objects.select_for_update().get(pk=integration.pk)
    group = (
        AlertGroup.objects.select_for_update()
        .filter(integration=integration, key_digest=digest_of(delivery.group_key))
        .first()
    )
    states = new_states(integration, group, delivery.alerts, now=now)
    incident = open_incident_of(group)
    firing = [state for state in states if state.firing]
    if not states or (incident is None and not firing):
        if group is not None and states:
            record_states(group, None, states)  # remembered, so that they stay old news
            settle_group(group, delivery, now=now, opened=False)
        return Receipt(incident=incident, new_states=len(states) if group else 0, opened=False)
    if group is None:
        group = AlertGroup.objects.create(
            integration=integration,
            group_key=delivery.group_key,
            key_digest=digest_of(delivery.group_key),
            created_at=now,
        )
    opened = incident is None
    if incident is None:
        incident = open_draft(integration, delivery, firing, now=now)
        group.incident = incident
    record_states(group, incident, states)
    if not opened:
        follow_up(integration, incident, states, now=now)
    settle_group(group, delivery, now=now, opened=opened)
    summary = f"{integration.name}: {len(firing)} firing, {len(states) - len(firing)} resolved"
    record_audit(actor=None, action="receive_alerts", target=incident, summary=summary)
    return Receipt(incident=incident, new_states=len(states), opened=opened)


def open_incident_of(group: AlertGroup | None) -> Incident | None:
    """The group's incident while it takes the group's alerts (locked), else None."""
    if group is None or group.incident_id is None:
        return None
    incident = Incident.objects.select_for_update().get(pk=group.incident_id)
    return incident if is_open(incident) else None


def new_states(
    integration: AlertIntegration,
    group: AlertGroup | None,
    alerts: Iterable[IncomingAlert],
    *,
    now: datetime,
) -> list[AlertState]:
    """The states of `alerts` the group has not received, each once, with its start settled:
    a state without a start belongs to the alert firing now (or, firing, starts now)."""
    alerts = list(alerts)
    seen = set(selectors.received_states(group, (a.fingerprint for a in alerts)))
    rules = selectors.label_rules(integration)
    states = []
    for alert in alerts:
        starts_at = alert.starts_at or firing_start(seen, alert.fingerprint)
        if starts_at is None and alert.status == AlertStatus.RESOLVED:
            continue  # nothing of it fires: old news
        starts_at = starts_at or now
        key = (alert.fingerprint, starts_at, alert.status)
        if key in seen:
            continue
        seen.add(key)
        mapped = [r.component for r in rules if alert.labels.get(r.label) == r.value]
        states.append(AlertState(alert, starts_at, list(dict.fromkeys(mapped))))
    return states


def firing_start(seen: set[tuple], fingerprint: str) -> datetime | None:
    """The start of the alert's latest firing without a resolution, among states received."""
    fired = {at for fp, at, status in seen if fp == fingerprint and status == AlertStatus.FIRING}
    resolved = {
        at for fp, at, status in seen if fp == fingerprint and status == AlertStatus.RESOLVED
    }
    return max(fired - resolved, default=None)


def record_states(
    group: AlertGroup, incident: Incident | None, states: list[AlertState]
) -> list[ReceivedAlert]:
    rows = ReceivedAlert.objects.bulk_create(
        [
            ReceivedAlert(
                group=group,
                incident=incident,
                fingerprint=s.alert.fingerprint,
                starts_at=s.starts_at,
                status=s.alert.status,
                name=s.alert.name[:200],
                labels=s.alert.labels,
                annotations=s.alert.annotations,
                ends_at=s.alert.ends_at,
            )
            for s in states
        ]
    )
    through = ReceivedAlert.components.through
    through.objects.bulk_create(
        [
            through(receivedalert_id=row.pk, component_id=component.pk)
            for row, state in zip(rows, states, strict=True)
            for component in state.components
        ]
    )
    return rows


def firing_status(integration: AlertIntegration, current: str) -> str:
    """What a firing alert makes of a component's status: the integration's, unless the
    component is worse off already, under maintenance, or the integration sets none."""
    wanted = integration.component_status
    if not wanted or current == ComponentStatus.UNDER_MAINTENANCE:
        return current
    return max(current, wanted, key=COMPONENT_STATUS_SEVERITY.__getitem__)


def component_changes(integration: AlertIntegration, states: list[AlertState]) -> dict:
    """The statuses new states give components: the firing ones' (named even when unchanged),
    and operational for the resolved ones nothing holds any more. The components are locked
    first, so that a concurrent delivery's firing alert is seen before deciding."""
    firing = {c.pk for s in states if s.firing for c in s.components}
    resolved = {c.pk for s in states if not s.firing for c in s.components} - firing
    locked = Component.objects.select_for_update().filter(pk__in=firing | resolved).order_by("pk")
    components = {c.pk: c for c in locked}
    changes = {components[pk]: firing_status(integration, components[pk].status) for pk in firing}
    if integration.component_status:
        for component in release_components([components[pk] for pk in sorted(resolved)]):
            changes[component] = ComponentStatus.OPERATIONAL
    return changes


def open_draft(
    integration: AlertIntegration,
    delivery: AlertDelivery,
    firing: list[AlertState],
    *,
    now: datetime,
) -> Incident:
    """A new draft incident for the group, its first update listing the firing alerts (to be
    announced when the draft is published), its mapped components set."""
    incident = Incident.objects.create(
        kind=IncidentKind.INCIDENT,
        name=draft_name(delivery, [s.alert for s in firing]),
        status=IncidentStatus.INVESTIGATING,
        draft_state=DraftState.DRAFT,
        started_at=now,
        created_at=now,
        updated_at=now,
    )
    append_update(
        incident=incident,
        status=IncidentStatus.INVESTIGATING,
        body=firing_text([s.alert for s in firing]),
        component_statuses=component_changes(integration, firing),
        deliver_notifications=True,
        author=None,
        display_at=now,
        source=StatusChangeSource.ALERT,
    )
    refresh_incident(incident, status=IncidentStatus.INVESTIGATING, fields=[])
    return incident


def follow_up(
    integration: AlertIntegration, incident: Incident, states: list[AlertState], *, now: datetime
) -> None:
    """New states of an open group: a note on its draft, or, on a published incident, only
    the component changes (what people post to the public is theirs to write)."""
    changes = component_changes(integration, states)
    if incident.is_draft:
        released = [c for c, status in changes.items() if status == ComponentStatus.OPERATIONAL]
        append_update(
            incident=incident,
            status=incident.status,
            body=note_text([s.alert for s in states], released),
            component_statuses=changes,
            deliver_notifications=False,
            author=None,
            display_at=now,
            source=StatusChangeSource.ALERT,
        )
        refresh_incident(incident, status=incident.status, fields=[])
        return
    for component, status in changes.items():
        set_component_status(component=component, status=status, source=StatusChangeSource.ALERT)
    named = [c for s in states if s.firing for c in s.components]
    if named:
        incident.components.add(*named)


def settle_group(
    group: AlertGroup, delivery: AlertDelivery, *, now: datetime, opened: bool
) -> None:
    """Keep when the group's alerts began firing (unbroken; restarted with a new draft)."""
    firing = selectors.group_is_firing(group)
    if not firing:
        group.firing_since = None
    elif opened or group.firing_since is None:
        group.firing_since = now
    group.labels = delivery.group_labels
    group.updated_at = now
    group.save(update_fields=["incident", "firing_since", "labels", "updated_at"])
