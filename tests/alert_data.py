"""Alert bodies as Prometheus Alertmanager (webhook version 4) and Grafana send them, an
integration to post them to, the posting, and readers of what a delivery wrote."""

import json

from incidents import services
from incidents.models import (
    AlertGroup,
    AuditEntry,
    Component,
    ComponentStatusChange,
    Incident,
    IncidentUpdate,
    ReceivedAlert,
)

STARTS = "2026-12-05T09:30:00Z"
LATER = "2026-12-05T09:50:00Z"
GROUP = '{}/{}:{alertname="HighLatency"}'


def am_alert(
    name: str = "HighLatency",
    *,
    status: str = "firing",
    fingerprint: str = "",
    starts_at: str = STARTS,
    summary: str = "",
    **labels: str,
) -> dict:
    """One alert of an Alertmanager body."""
    labels = {"alertname": name, **labels}
    return {
        "status": status,
        "labels": labels,
        "annotations": {"summary": summary or f"{name} on {labels.get('service', 'all')}"},
        "startsAt": starts_at,
        "endsAt": "0001-01-01T00:00:00Z" if status == "firing" else "2026-12-05T10:00:00Z",
        "generatorURL": "http://prometheus:9090/graph?g0.expr=up",
        "fingerprint": fingerprint or f"{name}-{'-'.join(sorted(labels.values()))}".lower(),
    }


def alertmanager_body(*alerts: dict, group_key: str = GROUP, **extra) -> dict:
    """An Alertmanager webhook body (version 4) for these alerts of one group."""
    common = dict(alerts[0]["labels"])
    for alert in alerts[1:]:
        common = {k: v for k, v in common.items() if alert["labels"].get(k) == v}
    firing = any(a["status"] == "firing" for a in alerts)
    summaries = {a["annotations"]["summary"] for a in alerts}
    body = {
        "version": "4",
        "groupKey": group_key,
        "truncatedAlerts": 0,
        "status": "firing" if firing else "resolved",
        "receiver": "noroshi",
        "groupLabels": {"alertname": common["alertname"]} if "alertname" in common else {},
        "commonLabels": common,
        "commonAnnotations": {"summary": next(iter(summaries))} if len(summaries) == 1 else {},
        "externalURL": "http://alertmanager:9093",
        "alerts": list(alerts),
    }
    return body | extra


def make_integration(
    *,
    name: str = "Prometheus",
    kind: str = "alertmanager",
    component_status: str = "major_outage",
    rules: dict | None = None,
    auto_publish_minutes: int | None = None,
):
    """An integration with label rules ({(label, value): component}); returns it and its
    token."""
    made = services.create_alert_integration(
        name=name,
        kind=kind,
        component_status=component_status,
        auto_publish_minutes=auto_publish_minutes,
    )
    for (label, value), component in (rules or {}).items():
        services.save_alert_rule(
            integration=made.integration, label=label, value=value, component=component
        )
    return made.integration, made.token


def post_alerts(client, token: str, body, *, kind: str = "alertmanager"):
    """POST a body (a dict, or raw text) to an integration's address."""
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(
        f"/api/v1/integrations/{kind}/{token}", data, content_type="application/json"
    )


def status_of(name: str) -> str:
    return Component.objects.get(name=name).status


def bodies(incident: Incident) -> list[str]:
    return list(incident.updates.order_by("id").values_list("body", flat=True))


def written() -> tuple:
    """Row counts of everything a delivery may write."""
    models = (Incident, IncidentUpdate, ReceivedAlert, AlertGroup, AuditEntry)
    return (*(m.objects.count() for m in models), ComponentStatusChange.objects.count())
