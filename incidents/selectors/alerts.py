"""Reads of alerts in: the integration an address's token names, the alert states already
received, the alerts firing now and the components they (or people's open incidents) hold,
the alert groups whose drafts are due to be published, and what an incident's alerts said."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, QuerySet

from incidents.alert_tokens import PREFIX_LENGTH, prefix_of, token_matches
from incidents.choices import (
    UNRESOLVED_INCIDENT_STATUSES,
    AlertStatus,
    DraftState,
    IncidentKind,
)
from incidents.models import (
    AlertGroup,
    AlertIntegration,
    AlertRule,
    Incident,
    ReceivedAlert,
)


def integration_for_token(token: str, *, kind: str) -> AlertIntegration | None:
    """The enabled integration of `kind` whose token is `token`, or None (unknown, wrong,
    disabled or of another kind alike). The digests are compared in constant time."""
    if len(token) <= PREFIX_LENGTH:
        return None
    row = AlertIntegration.objects.filter(
        token_prefix=prefix_of(token), kind=kind, enabled=True
    ).first()
    if row is None or not token_matches(token, row.token_digest):
        return None
    return row


def label_rules(integration: AlertIntegration) -> list[AlertRule]:
    """The integration's rules whose component is on the page (one query)."""
    return list(
        integration.rules.filter(component__archived_at__isnull=True).select_related("component")
    )


def received_states(group: AlertGroup | None, fingerprints: Iterable[str]) -> list[tuple]:
    """(fingerprint, starts_at, status) of every state of these alerts the group received."""
    if group is None:
        return []
    return list(
        ReceivedAlert.objects.filter(group=group, fingerprint__in=set(fingerprints)).values_list(
            "fingerprint", "starts_at", "status"
        )
    )


def firing_alerts() -> QuerySet[ReceivedAlert]:
    """The alerts firing now: a firing state whose resolution has not come, nor a later start
    of the same alert (a resolution lost on the way is not waited for forever)."""
    same_alert = ReceivedAlert.objects.filter(
        group=OuterRef("group"), fingerprint=OuterRef("fingerprint")
    )
    resolved = same_alert.filter(starts_at=OuterRef("starts_at"), status=AlertStatus.RESOLVED)
    restarted = same_alert.filter(starts_at__gt=OuterRef("starts_at"))
    return (
        ReceivedAlert.objects.filter(status=AlertStatus.FIRING)
        .exclude(Exists(resolved))
        .exclude(Exists(restarted))
    )


def group_is_firing(group: AlertGroup) -> bool:
    return firing_alerts().filter(group=group).exists()


def components_held(component_ids: Iterable[int]) -> set[int]:
    """Of these components, those still held: by an alert firing in a group whose incident is
    open (a draft, or published and unresolved) and whose integration sets component statuses,
    or by an unresolved public incident that people opened (2 queries)."""
    ids = list(component_ids)
    if not ids:
        return set()
    firing = (
        firing_alerts()
        .filter(group__incident__status__in=UNRESOLVED_INCIDENT_STATUSES)
        .exclude(group__incident__draft_state=DraftState.DISCARDED)
        .exclude(group__integration__component_status="")
    )
    by_alerts = ReceivedAlert.components.through.objects.filter(
        component_id__in=ids, receivedalert_id__in=firing.values("pk")
    ).values_list("component_id", flat=True)
    by_people = Incident.components.through.objects.filter(
        component_id__in=ids,
        incident__kind=IncidentKind.INCIDENT,
        incident__status__in=UNRESOLVED_INCIDENT_STATUSES,
        incident__draft_state=DraftState.PUBLISHED,
        incident__alert_groups__isnull=True,
    ).values_list("component_id", flat=True)
    return set(by_alerts) | set(by_people)


def alert_groups_due(now: datetime) -> list[int]:
    """The ids of the groups whose draft should be published by now: their integration
    publishes after N minutes and their alerts have been firing that long, longest first."""
    rows = (
        AlertGroup.objects.filter(
            firing_since__isnull=False,
            incident__draft_state=DraftState.DRAFT,
            integration__enabled=True,
            integration__auto_publish_minutes__isnull=False,
        )
        .order_by("firing_since", "pk")
        .values_list("pk", "firing_since", "integration__auto_publish_minutes")
    )
    return [
        pk
        for pk, since, minutes in rows
        if since is not None and minutes is not None and since + timedelta(minutes=minutes) <= now
    ]


def incident_alerts(incident: Incident) -> list[ReceivedAlert]:
    """The alert states noted on an incident, oldest first, with their components (the
    console's list of them; 2 queries)."""
    return list(
        ReceivedAlert.objects.filter(incident=incident)
        .select_related("group__integration")
        .prefetch_related("components")
        .order_by("received_at", "id")
    )
