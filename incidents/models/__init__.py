"""Models of the incidents domain, one module per topic; import them from here.

incidents.py: components, their status history, incidents and their updates, maintenance,
page settings, update templates. audit.py: the audit log. postmortems.py: post-mortems and their
timelines. actions.py: recovery actions. submissions.py: idempotency keys of writes.
members.py: what is kept of a console member (their language). api_keys.py: the management
API's keys. alerts.py: alert integrations, their label rules, alert groups and the alerts
received.
"""

from incidents.models.actions import RecoveryAction
from incidents.models.alerts import AlertGroup, AlertIntegration, AlertRule, ReceivedAlert
from incidents.models.api_keys import ApiKey
from incidents.models.audit import AuditEntry
from incidents.models.incidents import (
    Component,
    ComponentGroup,
    ComponentStatusChange,
    Incident,
    IncidentUpdate,
    IncidentUpdateComponent,
    PageSettings,
    ScheduledMaintenance,
    UpdateTemplate,
    public_id_field,
    validate_time_zone,
)
from incidents.models.members import MemberSettings
from incidents.models.postmortems import PostMortem, PostMortemTimelineEntry
from incidents.models.submissions import IdempotencyKey

__all__ = [
    "AlertGroup",
    "AlertIntegration",
    "AlertRule",
    "ApiKey",
    "AuditEntry",
    "Component",
    "ComponentGroup",
    "ComponentStatusChange",
    "IdempotencyKey",
    "Incident",
    "IncidentUpdate",
    "IncidentUpdateComponent",
    "MemberSettings",
    "PageSettings",
    "PostMortem",
    "PostMortemTimelineEntry",
    "ReceivedAlert",
    "RecoveryAction",
    "ScheduledMaintenance",
    "UpdateTemplate",
    "public_id_field",
    "validate_time_zone",
]
