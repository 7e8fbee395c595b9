"""Put a release's demo page into one of the benchmark's scenarios, through its own services.

Run as a child process with the release's checkout as the working directory and the stack's
Django environment, after `seed_demo`:

    python bench/firstvisit/scenario.py quiet|incident|branded

- quiet: every open incident resolved and every maintenance in progress completed (the
  branding, if any, is left as it is: the benchmark runs the scenarios in this order);
- incident: quiet, then one incident declared (the page is live: it carries #live-config);
- branded: incident, plus a small SVG logo and a brand colour (the most requests).

Only services that both the current and the previous release have are called; `branded`
needs the branding of the current one. No notification is sent.
"""

import json
import os
import sys
from pathlib import Path

# The script lives in this checkout but must import the release it is run in.
sys.path.insert(0, str(Path.cwd()))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "statuspage.settings")

INCIDENT_NAME = "Elevated error rates on the API"
INCIDENT_BODY = "We are investigating elevated error rates on the API."
BRAND_COLOUR = "#6f42c1"
# A small logo of the kind a team would upload: a mark and a word, about 0.4 KB.
LOGO = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 40" width="200" height="40">'
    b'<circle cx="20" cy="20" r="16" fill="#6f42c1"/>'
    b'<path d="M12 20l6 6 10-12" stroke="#fff" stroke-width="4" fill="none"/>'
    b'<text x="46" y="28" font-family="sans-serif" font-size="22" font-weight="700" '
    b'fill="#24292f">Hoshizora</text></svg>'
)


def quiet(keep: str = "") -> list[str]:
    """Resolve every open incident but the one named `keep`; complete maintenance in progress."""
    from incidents.choices import (
        ACTIVE_MAINTENANCE_STATUSES,
        UNRESOLVED_INCIDENT_STATUSES,
        IncidentKind,
    )
    from incidents.models import Incident
    from incidents.services import complete_maintenance, resolve_incident

    done = []
    for incident in Incident.objects.filter(
        kind=IncidentKind.INCIDENT, status__in=UNRESOLVED_INCIDENT_STATUSES
    ).exclude(name=keep or None):
        resolve_incident(incident=incident, body="Resolved.", deliver_notifications=False)
        done.append(f"resolved {incident.name!r}")
    for maintenance in Incident.objects.filter(
        kind=IncidentKind.MAINTENANCE, status__in=ACTIVE_MAINTENANCE_STATUSES
    ):
        complete_maintenance(maintenance=maintenance, deliver_notifications=False)
        done.append(f"completed {maintenance.name!r}")
    return done


def incident() -> list[str]:
    """Quiet but for one incident of the benchmark's, declared unless it is open already."""
    from incidents.choices import UNRESOLVED_INCIDENT_STATUSES, ComponentStatus
    from incidents.models import Component, Incident
    from incidents.services import declare_incident

    done = quiet(keep=INCIDENT_NAME)
    open_already = Incident.objects.filter(
        name=INCIDENT_NAME, status__in=UNRESOLVED_INCIDENT_STATUSES
    ).exists()
    if open_already:
        return done
    component = Component.objects.order_by("id").first()
    declare_incident(
        name=INCIDENT_NAME,
        body=INCIDENT_BODY,
        component_statuses={component: ComponentStatus.PARTIAL_OUTAGE} if component else None,
        deliver_notifications=False,
    )
    return [*done, f"declared {INCIDENT_NAME!r}"]


def branded() -> list[str]:
    from incidents.services import edit_page_settings, set_page_logo

    done = incident()
    logo = set_page_logo(data=LOGO)
    edit_page_settings(brand_colour=BRAND_COLOUR)
    size = len(logo.content) if logo else 0
    return [*done, f"logo SVG of {size} bytes (as stored), brand colour {BRAND_COLOUR}"]


SCENARIOS = {"quiet": quiet, "incident": incident, "branded": branded}


def main() -> None:
    import django

    django.setup()
    print(json.dumps(SCENARIOS[sys.argv[1]]()))


if __name__ == "__main__":
    main()
