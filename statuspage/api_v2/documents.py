"""The body of each /api/v2 endpoint, built from the incidents selectors.

Each function runs a fixed number of queries however many components, incidents and updates
the page holds (docs/api.md lists them); the selectors decide the prefetching.
"""

from incidents import selectors
from incidents.representations import (
    PageContext,
    component_objects,
    incident_object,
    page_context,
    page_object,
    status_object,
)

# The "50 most recent" of incidents.json and scheduled-maintenances.json.
RECENT_LIMIT = 50


def incident_objects(ctx: PageContext, incidents) -> list[dict]:
    return [incident_object(ctx, incident) for incident in incidents]


def summary(*, language: str | None = None) -> dict:
    """page, components, unresolved incidents, active then upcoming maintenance, the roll-up.

    The roll-up is selectors.rollup() over the rows this response shows, so it always agrees
    with them (selectors.page_status() computes the same from the same tables).
    """
    ctx = page_context(language=language)
    entries = selectors.components_in_order()
    incidents = list(selectors.unresolved_incidents())
    active = list(selectors.active_maintenances())
    upcoming = list(selectors.upcoming_maintenances())
    status = selectors.rollup_of_rows(entries, incidents, active)
    return {
        "page": page_object(ctx),
        "components": component_objects(ctx, entries),
        "incidents": incident_objects(ctx, incidents),
        "scheduled_maintenances": incident_objects(ctx, active + upcoming),
        "status": status_object(status),
    }


def status(*, language: str | None = None) -> dict:
    ctx = page_context(language=language)
    return {"page": page_object(ctx), "status": status_object(selectors.page_status())}


def components(*, language: str | None = None) -> dict:
    ctx = page_context(language=language)
    entries = selectors.components_in_order()
    return {"page": page_object(ctx), "components": component_objects(ctx, entries)}


def incidents(*, language: str | None = None) -> dict:
    ctx = page_context(language=language)
    rows = selectors.recent_incidents(limit=RECENT_LIMIT)
    return {"page": page_object(ctx), "incidents": incident_objects(ctx, rows)}


def unresolved_incidents(*, language: str | None = None) -> dict:
    ctx = page_context(language=language)
    rows = selectors.unresolved_incidents()
    return {"page": page_object(ctx), "incidents": incident_objects(ctx, rows)}


def scheduled_maintenances(*, language: str | None = None) -> dict:
    ctx = page_context(language=language)
    rows = selectors.recent_maintenances(limit=RECENT_LIMIT)
    return {"page": page_object(ctx), "scheduled_maintenances": incident_objects(ctx, rows)}


def upcoming_maintenances(*, language: str | None = None) -> dict:
    ctx = page_context(language=language)
    rows = selectors.upcoming_maintenances()
    return {"page": page_object(ctx), "scheduled_maintenances": incident_objects(ctx, rows)}


def active_maintenances(*, language: str | None = None) -> dict:
    ctx = page_context(language=language)
    rows = selectors.active_maintenances()
    return {"page": page_object(ctx), "scheduled_maintenances": incident_objects(ctx, rows)}
