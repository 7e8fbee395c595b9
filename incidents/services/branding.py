"""Writes of the page's logo (its colours and links are page settings: services.page)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from incidents.branding.logo import Logo, checked_logo
from incidents.changes import page_changed_on_commit
from incidents.models import PageSettings
from incidents.services.audit import record_audit

LOGO_FIELDS = ["logo", "logo_type", "logo_digest", "updated_at"]


@transaction.atomic
def set_page_logo(*, data: bytes | None, actor=None) -> Logo | None:
    """Store `data` as the page's logo (None removes it); return what was stored.

    An SVG is rebuilt passive and a PNG loses its metadata (incidents.branding.logo), so what
    is stored may differ from the upload. Raises ValidationError (under "logo") when the file
    is refused, writing nothing.
    """
    try:
        logo = None if data is None else checked_logo(data)
    except ValidationError as error:
        raise ValidationError({"logo": error.error_list}) from None
    page_changed_on_commit()
    page, _ = PageSettings.objects.select_for_update().get_or_create(id=1)
    page.logo = logo.content if logo else b""
    page.logo_type = logo.content_type if logo else ""
    page.logo_digest = logo.digest if logo else ""
    page.updated_at = timezone.now()
    page.save(update_fields=LOGO_FIELDS)
    if logo is None:
        summary = "logo removed"
    else:
        summary = f"logo {logo.content_type}, {len(logo.content)} bytes"
        if logo.removed:
            summary += f"; removed {', '.join(sorted(set(logo.removed)))}"
    record_audit(actor=actor, action="edit", target=page, summary=summary)
    return logo
