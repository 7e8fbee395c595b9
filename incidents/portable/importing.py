"""Import a page document into an empty page: all of it in one transaction, or nothing."""

from collections import Counter

from django.db import DataError, IntegrityError, transaction

from incidents.changes import page_changed_on_commit
from incidents.models import (
    AlertIntegration,
    Component,
    ComponentGroup,
    ComponentStatusChange,
    Incident,
    PageSettings,
    PostMortem,
    RecoveryAction,
    UpdateTemplate,
)
from incidents.portable.document import PortableError, sections, top_level
from incidents.portable.load import PageReader
from incidents.services.audit import record_audit

# What makes a page not empty. The settings row and the audit log do not count: a new
# installation has them (the import replaces the settings and adds to the log).
PAGE_TABLES = (
    ComponentGroup,
    Component,
    ComponentStatusChange,
    Incident,
    UpdateTemplate,
    PostMortem,
    RecoveryAction,
    AlertIntegration,
)


def holdings() -> list[str]:
    """What the page already holds, by table (empty: the page is empty)."""
    held = [model._meta.verbose_name_plural for model in PAGE_TABLES if model.objects.exists()]
    held += [section.name for section in sections() if section.has_rows()]
    return [str(name) for name in held]


def import_page(document, *, actor=None) -> Counter:
    """Write a page document (incidents.portable.export_page's) into this page, which must be
    empty; return how many rows of each kind were written.

    One transaction: a document with any error, or a page that already holds components,
    incidents, templates, post-mortems, actions, integrations or subscribers, raises
    PortableError and writes nothing. Nothing is announced or sent; the page settings are
    replaced; people the installation does not know are added inactive, without a password;
    one audit row records the import; the public page is rebuilt once committed.
    """
    top = top_level(document)
    try:
        with transaction.atomic():
            # Two imports at once: the second waits here, then finds the page full.
            PageSettings.objects.get_or_create(id=1)
            PageSettings.objects.select_for_update().get(id=1)
            held = holdings()
            if held:
                raise PortableError(
                    "This page already holds data ("
                    + ", ".join(held)
                    + "): import into a new, empty installation (migrate a new database)."
                )
            page_changed_on_commit()
            counts = PageReader(top).load()
            for section in sections():
                rows = top.rows(section.name) if section.name in document else []
                counts[section.name] = section.load(rows)
            record_audit(
                actor=actor,
                action="import_page",
                target=PageSettings,
                summary=", ".join(f"{n} {what}" for what, n in counts.items()),
            )
    except (DataError, IntegrityError) as error:
        raise PortableError(f"The document does not fit this database: {error}") from error
    return counts
