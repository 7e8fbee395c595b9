"""The bodies monitoring posts to an alert integration's address, read into the delivery that
incidents.services.receive_alerts takes: Prometheus Alertmanager's webhook (version 4), and a
generic JSON shape (Grafana alerting's webhook, or only a title and a state).

A body that does not fit is a ValidationError naming each bad field (a 400 in the API's error
shape), and nothing is written."""

import hashlib
import json
from datetime import datetime

from rest_framework import serializers

from incidents.choices import AlertStatus
from incidents.services import AlertDelivery, IncomingAlert
from statuspage.api_v1.serializers import status_choice

# Alerts read from one body (Alertmanager's `max_alerts` truncates a group below this).
MAX_ALERTS = 1000
MAX_TEXT = 10_000
# What a generic sender's state means (Grafana's legacy states, Alertmanager's statuses).
GENERIC_STATES = {
    "firing": AlertStatus.FIRING,
    "alerting": AlertStatus.FIRING,
    "resolved": AlertStatus.RESOLVED,
    "ok": AlertStatus.RESOLVED,
}
DEFAULT_GROUP = "default"


class AlertTime(serializers.DateTimeField):
    """An RFC 3339 time as Go writes it (nanoseconds are cut to microseconds); Go's zero time,
    which Alertmanager sends as a firing alert's end, is no time at all."""

    default_error_messages = {
        "rfc3339": "Give an RFC 3339 time with its offset, e.g. 2026-12-05T09:30:00Z.",
    }

    def to_internal_value(self, value):
        try:
            moment = datetime.fromisoformat(value.strip())
        except (AttributeError, ValueError):
            self.fail("rfc3339")
        if moment.tzinfo is None:
            self.fail("rfc3339")
        return None if moment.year == 1 else moment


def texts(**kwargs) -> serializers.DictField:
    """A map of label or annotation names to text."""
    child = serializers.CharField(allow_blank=True, max_length=MAX_TEXT, trim_whitespace=False)
    return serializers.DictField(child=child, **kwargs)


def status_field(**kwargs) -> serializers.ChoiceField:
    return status_choice(AlertStatus.values, **kwargs)


class AlertmanagerAlert(serializers.Serializer):
    status = status_field()
    labels = texts()
    annotations = texts(required=False, default=dict)
    startsAt = AlertTime()
    endsAt = AlertTime(required=False, allow_null=True, default=None)
    generatorURL = serializers.CharField(required=False, allow_blank=True)
    fingerprint = serializers.CharField(required=False, allow_blank=True, max_length=128)


class AlertmanagerPayload(serializers.Serializer):
    """Alertmanager's webhook body, version 4 (its `webhook_configs` receiver)."""

    version = status_choice(["4"])
    groupKey = serializers.CharField(max_length=MAX_TEXT)
    truncatedAlerts = serializers.IntegerField(required=False, min_value=0)
    status = status_field()
    receiver = serializers.CharField(allow_blank=True, required=False, default="")
    groupLabels = texts(required=False, default=dict)
    commonLabels = texts(required=False, default=dict)
    commonAnnotations = texts(required=False, default=dict)
    externalURL = serializers.CharField(allow_blank=True, required=False)
    alerts = AlertmanagerAlert(many=True, allow_empty=False, max_length=MAX_ALERTS)


class GenericAlert(serializers.Serializer):
    status = serializers.CharField(required=False)
    labels = texts(required=False, default=dict)
    annotations = texts(required=False, default=dict)
    startsAt = AlertTime(required=False, allow_null=True, default=None)
    endsAt = AlertTime(required=False, allow_null=True, default=None)
    fingerprint = serializers.CharField(required=False, allow_blank=True, max_length=128)


class GenericPayload(serializers.Serializer):
    """A generic alert: Grafana alerting's webhook body is one; the least is a title and a
    state. `status` (firing, resolved) wins over `state` (alerting, ok)."""

    title = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT)
    state = serializers.CharField(required=False)
    status = serializers.CharField(required=False)
    message = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT)
    groupKey = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT)
    labels = texts(required=False, default=dict)
    commonLabels = texts(required=False, default=dict)
    commonAnnotations = texts(required=False, default=dict)
    groupLabels = texts(required=False, default=dict)
    alerts = GenericAlert(many=True, required=False, max_length=MAX_ALERTS)

    def validate(self, attrs):
        attrs["status"] = generic_status(attrs.get("status") or attrs.get("state"), "status")
        for index, alert in enumerate(attrs.get("alerts", [])):
            given = alert.get("status")
            alert["status"] = generic_status(given, f"alerts.{index}.status") if given else None
        if not attrs.get("alerts") and not (attrs.get("title") or "").strip():
            raise serializers.ValidationError({"title": ["Give a title, or a list of alerts."]})
        return attrs


def generic_status(value: str | None, name: str) -> str:
    status = GENERIC_STATES.get((value or "").strip().lower())
    if status is None:
        accepted = ", ".join(GENERIC_STATES)
        raise serializers.ValidationError({name: [f"Give a status or state: one of {accepted}."]})
    return status


def fingerprint_of(*parts) -> str:
    """A stable fingerprint for an alert its sender did not fingerprint (as Alertmanager
    makes its own: a digest of the labels)."""
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def alertmanager_delivery(data) -> AlertDelivery:
    """Read an Alertmanager body; raises serializers.ValidationError."""
    body = AlertmanagerPayload(data=data)
    body.is_valid(raise_exception=True)
    fields = body.validated_data
    alerts = [
        IncomingAlert(
            fingerprint=a.get("fingerprint") or fingerprint_of(a["labels"]),
            status=a["status"],
            name=a["labels"].get("alertname", ""),
            labels=a["labels"],
            annotations=a["annotations"],
            starts_at=a["startsAt"],
            ends_at=a["endsAt"],
        )
        for a in fields["alerts"]
    ]
    return AlertDelivery(
        group_key=fields["groupKey"],
        alerts=alerts,
        group_labels=fields["groupLabels"],
        common_labels=fields["commonLabels"],
        common_annotations=fields["commonAnnotations"],
    )


def generic_delivery(data) -> AlertDelivery:
    """Read a generic body; raises serializers.ValidationError. Without `alerts`, the body is
    one alert, named by its title, fingerprinted by its group."""
    body = GenericPayload(data=data)
    body.is_valid(raise_exception=True)
    fields = body.validated_data
    title = " ".join((fields.get("title") or "").split())
    group_key = fields.get("groupKey") or title or DEFAULT_GROUP
    alerts = [generic_alert(a, default_status=fields["status"]) for a in fields.get("alerts", [])]
    if not alerts:
        annotations = {"summary": title, "description": fields.get("message", "")}
        alerts = [
            IncomingAlert(
                fingerprint=fingerprint_of(group_key),
                status=fields["status"],
                name=title,
                labels=fields["labels"],
                annotations={k: v for k, v in annotations.items() if v},
            )
        ]
    return AlertDelivery(
        group_key=group_key,
        alerts=alerts,
        group_labels=fields["groupLabels"],
        common_labels=fields["commonLabels"],
        common_annotations=fields["commonAnnotations"],
        title=title,
    )


def generic_alert(alert: dict, *, default_status: str) -> IncomingAlert:
    return IncomingAlert(
        fingerprint=alert.get("fingerprint") or fingerprint_of(alert["labels"]),
        status=alert["status"] or default_status,
        name=alert["labels"].get("alertname", ""),
        labels=alert["labels"],
        annotations=alert["annotations"],
        starts_at=alert["startsAt"],
        ends_at=alert["endsAt"],
    )
