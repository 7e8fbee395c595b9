"""Reads of the page settings row: the row, its time zone, and when anything the page shows
last changed (by the rows' updated_at, or by the newest audited write or status change)."""

import zoneinfo
from datetime import datetime

from django.db.models import QuerySet, Subquery

from incidents.models import (
    AuditEntry,
    Component,
    ComponentGroup,
    ComponentStatusChange,
    Incident,
    PageSettings,
)


def page_settings() -> PageSettings:
    """The page settings row (an unsaved default when the row is missing), without the logo's
    bytes (page_logo reads them)."""
    return PageSettings.objects.filter(id=1).defer("logo").first() or PageSettings(id=1)


def page_logo() -> tuple[bytes, str, str] | None:
    """The page's logo as (content, content type, digest), or None when it has none."""
    row = PageSettings.objects.filter(id=1).exclude(logo_digest="")
    found = row.values_list("logo", "logo_type", "logo_digest").first()
    return None if found is None else (bytes(found[0]), found[1], found[2])


def time_zone_of(page: PageSettings) -> zoneinfo.ZoneInfo:
    """The time zone a settings row already read names (UTC when it names none we know)."""
    try:
        return zoneinfo.ZoneInfo(page.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("Etc/UTC")


def page_time_zone() -> zoneinfo.ZoneInfo:
    """The page's time zone (UTC when it names none we know)."""
    return time_zone_of(page_settings())


def newest_updated_at(rows: QuerySet) -> Subquery:
    return Subquery(rows.order_by("-updated_at").values("updated_at")[:1])


def page_settings_with_updated_at() -> tuple[PageSettings, datetime]:
    """The page settings row (an unsaved default when the row is missing) and the newest
    change of anything shown: the latest of the page settings', the components', the groups'
    and the public incidents' (maintenance included) updated_at. One query."""
    row = (
        PageSettings.objects.filter(id=1)
        .defer("logo")
        .annotate(
            components_updated_at=newest_updated_at(Component.objects.all()),
            groups_updated_at=newest_updated_at(ComponentGroup.objects.all()),
            incidents_updated_at=newest_updated_at(Incident.objects.public()),
        )
        .first()
    )
    page: PageSettings = row if row is not None else PageSettings(id=1)
    changes = [
        page.updated_at,
        getattr(page, "components_updated_at", None),
        getattr(page, "groups_updated_at", None),
        getattr(page, "incidents_updated_at", None),
    ]
    return page, max(moment for moment in changes if moment is not None)


def newest_change_at() -> float:
    """When the newest audited write or status change was made, in seconds since the epoch
    (0.0 when none was): what the page stamp (incidents.changes) must be past.

    Two reads by primary key: cheap enough for beat every few seconds.
    """
    times = [
        model.objects.order_by("-pk").values_list("created_at", flat=True).first()
        for model in (AuditEntry, ComponentStatusChange)
    ]
    return max((moment.timestamp() for moment in times if moment is not None), default=0.0)
