"""Writes to the page settings row and the update templates."""

from django.db import transaction
from django.utils import timezone

from incidents.address_checks import checked_slack_webhook_url
from incidents.changes import page_changed_on_commit
from incidents.models import PageSettings, UpdateTemplate
from incidents.services.audit import field_changes, record_audit

EDITABLE_PAGE_FIELDS = frozenset(
    {
        "name",
        "name_ja",
        "url",
        "time_zone",
        "support_email",
        "support_url",
        "update_reminder_minutes",
        "team_slack_webhook_url",
    }
) | {"brand_colour", "brand_colour_dark", "header_links", "footer_links"}
EDITABLE_TEMPLATE_FIELDS = frozenset(
    {"name", "kind", "status", "title", "title_ja", "body", "body_ja"}
)


@transaction.atomic
def edit_page_settings(*, actor=None, **changes) -> PageSettings:
    """Change the page settings (creating the one row if it is missing). Raises
    ValidationError, writing nothing, on a bad value: among them a team Slack webhook URL that
    is not a Slack incoming webhook Noroshi may post to (the SSRF guard of subscribers' URLs)."""
    page_changed_on_commit()
    unknown = set(changes) - EDITABLE_PAGE_FIELDS
    if unknown:
        raise TypeError(f"edit_page_settings() got unexpected fields: {sorted(unknown)}")
    page, _ = PageSettings.objects.select_for_update().get_or_create(id=1)
    if "team_slack_webhook_url" in changes:
        changes["team_slack_webhook_url"] = team_slack_url(
            changes["team_slack_webhook_url"], stored=page.team_slack_webhook_url
        )
    before_after = field_changes(page, changes)
    changed = list(before_after)
    for field in changed:
        setattr(page, field, changes[field])
    page.full_clean()
    if changed:
        page.updated_at = timezone.now()
        page.save(update_fields=[*changed, "updated_at"])
        record_audit(
            actor=actor,
            action="edit",
            target=page,
            summary=", ".join(changed),
            changes=before_after,
        )
    return page


def team_slack_url(url: str | None, *, stored: str) -> str:
    """The team's Slack webhook URL to store: checked when it is a new one (one stored already
    was checked when it was set)."""
    url = (url or "").strip()
    if not url or url == stored:
        return url
    return checked_slack_webhook_url(url, field="team_slack_webhook_url")


@transaction.atomic
def save_update_template(
    *, template: UpdateTemplate | None = None, actor=None, **fields
) -> UpdateTemplate:
    """Create an update template, or change the given one."""
    unknown = set(fields) - EDITABLE_TEMPLATE_FIELDS
    if unknown:
        raise TypeError(f"save_update_template() got unexpected fields: {sorted(unknown)}")
    template = template or UpdateTemplate()
    changes = field_changes(template, fields) if template.pk else {}
    for field, value in fields.items():
        setattr(template, field, value)
    template.full_clean()
    template.save()
    record_audit(
        actor=actor, action="save", target=template, summary=template.name, changes=changes
    )
    return template


@transaction.atomic
def delete_update_template(*, template: UpdateTemplate, actor=None) -> None:
    """Delete an update template."""
    record_audit(actor=actor, action="delete", target=template, summary=template.name)
    template.delete()
