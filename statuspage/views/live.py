"""What the live page needs to follow /api/v2/summary.json (static/statuspage/page.js): where
to read, how often, and the few words it says itself, in the page's language.

The overview is live while an incident is open or maintenance is in progress, an incident's
page while that incident is. The configuration is part of the cached HTML, the same for every
visitor of a language, so caching is unchanged; a page with nothing active carries none. When
the summary changes, live-render.js (loaded only then) fetches the page's own address, a
cached page like any reload, and writes what changed from that HTML: the server renders
everything the visitor sees, live or reloaded.
"""

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _

from incidents.choices import (
    ACTIVE_MAINTENANCE_STATUSES,
    UNRESOLVED_INCIDENT_STATUSES,
    IncidentStatus,
    MaintenanceStatus,
)
from incidents.models import Incident
from statuspage.languages import in_language


def is_live(incident: Incident) -> bool:
    """An incident not yet resolved, or maintenance in progress or verifying."""
    if incident.is_maintenance:
        return incident.status in ACTIVE_MAINTENANCE_STATUSES
    return incident.status in UNRESOLVED_INCIDENT_STATUSES


def labels() -> dict:
    """The words page.js says itself, in the active language: the news of a change (with
    Python's placeholders), and what a card that left the overview's list of incidents or of
    maintenance in progress has become. Everything else it says is the server's HTML."""
    return {
        "news": _("%(name)s: %(status)s"),
        "ended": {
            "incidents": str(IncidentStatus.RESOLVED.label),
            "maintenance": str(MaintenanceStatus.COMPLETED.label),
        },
    }


def live_config(*, language: str, incident: Incident | None = None) -> dict:
    """The configuration of page.js's live part: the overview's, or `incident`'s page's."""
    config = {
        "summary": in_language(reverse("api_v2:summary"), language),
        "seconds": settings.NOROSHI_LIVE_SECONDS,
        # Loaded only once a summary differs from what the page shows (page.js).
        "renderer": static("statuspage/live-render.js"),
        "labels": labels(),
    }
    if incident is not None:
        config["incident"] = incident.public_id
    return config
