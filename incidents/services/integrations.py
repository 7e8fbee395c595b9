"""Writes to the alert integrations (the console's owners make them): create one with its
token, change it, replace its token, and its label rules."""

from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from incidents.alert_tokens import digest_of, new_token, prefix_of
from incidents.choices import ComponentStatus
from incidents.models import AlertIntegration, AlertRule, Component
from incidents.services.audit import record_audit, save_changes, saved_user

EDITABLE_INTEGRATION_FIELDS = frozenset(
    {"name", "kind", "component_status", "auto_publish_minutes", "enabled"}
)


class NewToken(NamedTuple):
    """An integration with its token: the only moment the token is known in full."""

    integration: AlertIntegration
    token: str


def validate_firing_status(status: str) -> None:
    if status == ComponentStatus.OPERATIONAL:
        raise ValidationError(
            {"component_status": "A firing alert cannot make a component operational."},
            code="operational",
        )


def check_fields(fields: dict, *, service: str) -> None:
    unknown = set(fields) - EDITABLE_INTEGRATION_FIELDS
    if unknown:
        raise TypeError(f"{service}() got unexpected fields: {sorted(unknown)}")
    validate_firing_status(fields.get("component_status", ""))


@transaction.atomic
def create_alert_integration(*, name: str, actor=None, **fields) -> NewToken:
    """Create an integration and its token; return both. Only the token's prefix and digest
    are stored: show the token now, it cannot be read again. Raises ValidationError on bad
    input, writing nothing."""
    check_fields(fields, service="create_alert_integration")
    token = new_token()
    integration = AlertIntegration(
        name=(name or "").strip(),
        token_prefix=prefix_of(token),
        token_digest=digest_of(token),
        created_by=saved_user(actor),
        **fields,
    )
    integration.full_clean()
    integration.save()
    record_audit(actor=actor, action="create", target=integration, summary=integration.name)
    return NewToken(integration, token)


@transaction.atomic
def edit_alert_integration(
    *, integration: AlertIntegration, actor=None, **changes
) -> AlertIntegration:
    """Change an integration's name, kind, component status, auto-publish or enabled flag."""
    check_fields(changes, service="edit_alert_integration")
    save_changes(integration, changes, actor=actor)
    return integration


@transaction.atomic
def replace_alert_token(*, integration: AlertIntegration, actor=None) -> NewToken:
    """Give the integration a new token (the old address stops working at once); return it."""
    token = new_token()
    locked = AlertIntegration.objects.select_for_update().get(pk=integration.pk)
    locked.token_prefix, locked.token_digest = prefix_of(token), digest_of(token)
    locked.updated_at = timezone.now()
    locked.save(update_fields=["token_prefix", "token_digest", "updated_at"])
    record_audit(actor=actor, action="replace_token", target=locked, summary=locked.name)
    integration.refresh_from_db()
    return NewToken(locked, token)


@transaction.atomic
def save_alert_rule(
    *,
    integration: AlertIntegration,
    label: str,
    value: str,
    component: Component,
    rule: AlertRule | None = None,
    actor=None,
) -> AlertRule:
    """Add a label rule to an integration, or change the given one."""
    rule = rule or AlertRule(integration=integration)
    rule.label, rule.value, rule.component = label.strip(), value.strip(), component
    rule.full_clean()
    rule.save()
    record_audit(actor=actor, action="save_rule", target=integration, summary=str(rule))
    return rule


@transaction.atomic
def delete_alert_rule(*, rule: AlertRule, actor=None) -> None:
    """Remove a label rule."""
    record_audit(actor=actor, action="delete_rule", target=rule.integration, summary=str(rule))
    rule.delete()
