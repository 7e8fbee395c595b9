"""What the live page needs to follow /api/v2/summary.json in place (static/statuspage/live.js):
where to read, how often, and the words it writes, in the page's language.

The overview is live while an incident is open or maintenance is in progress, an incident's
page while that incident is. The configuration is part of the cached HTML, the same for every
visitor of a language, so caching is unchanged; a page with nothing active carries none and
loads no script for it. live.js polls; live-render.js, which writes the changes, is loaded
only once there is one.
"""

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _

from incidents.choices import (
    ACTIVE_MAINTENANCE_STATUSES,
    UNRESOLVED_INCIDENT_STATUSES,
    ComponentStatus,
    Impact,
)
from incidents.choices import ALL_INCIDENT_STATUS_CHOICES as INCIDENT_STATUSES
from incidents.models import Incident
from statuspage.languages import in_language
from statuspage.views.context import BANNER_TEXT

# Where live.js puts an incident's id in the address of its page.
ID_MARK = "__id__"


def is_live(incident: Incident) -> bool:
    """An incident not yet resolved, or maintenance in progress or verifying."""
    if incident.is_maintenance:
        return incident.status in ACTIVE_MAINTENANCE_STATUSES
    return incident.status in UNRESOLVED_INCIDENT_STATUSES


def labels() -> dict[str, dict[str, str]]:
    """The words live.js writes, in the active language. Placeholders are Python's
    (%(name)s): the same messages the templates use, so their translations are shared."""
    return {
        "banner": {indicator: str(text) for indicator, text in BANNER_TEXT.items()},
        "component": {status.value: str(status.label) for status in ComponentStatus},
        "status": {value: str(label) for value, label in INCIDENT_STATUSES},
        "impact": {impact.value: str(impact.label) for impact in Impact},
        "text": {
            "status": _("Status: %(status)s"),
            "impact": _("Impact: %(impact)s"),
            "posted": _("Posted %(posted)s"),
            "edited": _("edited %(edited)s"),
            "scheduled": _("Scheduled for"),
            "affected": _("Affected components:"),
            "news": _("%(name)s: %(status)s"),
            "reload": _("This page has changed in ways it cannot show by itself."),
            "reload_link": _("Reload the page"),
        },
    }


def live_config(*, language: str, incident: Incident | None = None) -> dict:
    """The configuration of live.js: the overview's, or `incident`'s page's. Once the
    incident leaves summary.json (resolved, completed), its last state is read from `final`."""
    config = {
        "summary": in_language(reverse("api_v2:summary"), language),
        "seconds": settings.NOROSHI_LIVE_SECONDS,
        # Loaded only once a summary differs from what the page shows (live.js).
        "renderer": static("statuspage/live-render.js"),
        "incident_url": in_language(reverse("public:incident", args=[ID_MARK]), language),
        "labels": labels(),
    }
    if incident is not None:
        final = "api_v2:scheduled-maintenances" if incident.is_maintenance else "api_v2:incidents"
        config.update(incident=incident.public_id, final=in_language(reverse(final), language))
    return config
