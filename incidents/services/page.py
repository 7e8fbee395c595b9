"""Writes to the page settings row and the update templates."""

from django.db import transaction
from django.utils import timezone

from incidents.changes import page_changed_on_commit
from incidents.models import PageSettings, UpdateTemplate
from incidents.services.audit import record_audit

EDITABLE_PAGE_FIELDS = frozenset(
    {"name", "name_ja", "url", "time_zone", "support_email", "support_url"}
) | {"brand_colour", "brand_colour_dark", "header_links", "footer_links"}
EDITABLE_TEMPLATE_FIELDS = frozenset(
    {"name", "kind", "status", "title", "title_ja", "body", "body_ja"}
)


@transaction.atomic
def edit_page_settings(*, actor=None, **changes) -> PageSettings:
    """Change the page settings (creating the one row if it is missing)."""
    page_changed_on_commit()
    unknown = set(changes) - EDITABLE_PAGE_FIELDS
    if unknown:
        raise TypeError(f"edit_page_settings() got unexpected fields: {sorted(unknown)}")
    page, _ = PageSettings.objects.select_for_update().get_or_create(id=1)
    changed = [field for field, value in changes.items() if getattr(page, field) != value]
    for field in changed:
        setattr(page, field, changes[field])
    page.full_clean()
    if changed:
        page.updated_at = timezone.now()
        page.save(update_fields=[*changed, "updated_at"])
        record_audit(actor=actor, action="edit", target=page, summary=", ".join(changed))
    return page


@transaction.atomic
def save_update_template(
    *, template: UpdateTemplate | None = None, actor=None, **fields
) -> UpdateTemplate:
    """Create an update template, or change the given one."""
    unknown = set(fields) - EDITABLE_TEMPLATE_FIELDS
    if unknown:
        raise TypeError(f"save_update_template() got unexpected fields: {sorted(unknown)}")
    template = template or UpdateTemplate()
    for field, value in fields.items():
        setattr(template, field, value)
    template.full_clean()
    template.save()
    record_audit(actor=actor, action="save", target=template, summary=template.name)
    return template


@transaction.atomic
def delete_update_template(*, template: UpdateTemplate, actor=None) -> None:
    """Delete an update template."""
    record_audit(actor=actor, action="delete", target=template, summary=template.name)
    template.delete()
