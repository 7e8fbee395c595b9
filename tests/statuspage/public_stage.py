"""A page with something on every public path, written through the services, and the bytes
each path must show: for the tests that take the cache or the database away."""

from datetime import timedelta

from django.utils import timezone

from incidents import services
from tests.factories import UserFactory

POSTMORTEM_SECTIONS = {
    "summary": "A bad deploy broke the API for an hour.",
    "customer_impact": "API calls failed.",
    "root_cause": "A configuration change lowered the connection limit.",
    "detection_method": "monitoring",
}


def published_postmortem(incident) -> None:
    author = UserFactory(username="aiko")
    postmortem = services.start_postmortem(incident=incident, actor=author)
    services.edit_postmortem(postmortem=postmortem, actor=author, **POSTMORTEM_SECTIONS)
    services.submit_for_review(postmortem=postmortem, actor=author)
    services.sign_off_review(postmortem=postmortem, reviewer=UserFactory(username="kenji"))
    services.publish_postmortem(postmortem=postmortem)


def public_stage() -> dict[str, bytes]:
    """Write the page; return each public path with bytes it must contain."""
    api = services.create_component(name="API")
    web = services.create_component(name="Web")
    quiet = {"deliver_notifications": False}
    past = services.declare_incident(
        name="Elevated API errors",
        body="Investigating.",
        component_statuses={api: "major_outage"},
        **quiet,
    )
    services.resolve_incident(incident=past, body="Fixed.", **quiet)
    published_postmortem(past)
    now = services.declare_incident(
        name="Slow dashboard",
        body="Looking.",
        component_statuses={web: "degraded_performance"},
        **quiet,
    )
    start = timezone.now() + timedelta(days=2)
    services.schedule_maintenance(
        name="Database upgrade",
        body="Upgrading.",
        scheduled_for=start,
        scheduled_until=start + timedelta(hours=1),
        components=[api],
        **quiet,
    )
    return {
        "/": b"Slow dashboard",
        f"/incidents/{now.public_id}": b"Slow dashboard",
        f"/incidents/{past.public_id}/postmortem": b"A bad deploy broke the API",
        "/history": b"Elevated API errors",
        "/maintenance": b"Database upgrade",
        "/uptime": b"API",
        "/api/v2/summary.json": b'"Slow dashboard"',
        "/api/v2/status.json": b'"minor"',
        "/api/v2/components.json": b'"degraded_performance"',
        "/api/v2/incidents.json": b'"Elevated API errors"',
        "/api/v2/incidents/unresolved.json": b'"Slow dashboard"',
        "/api/v2/scheduled-maintenances.json": b'"Database upgrade"',
        "/api/v2/scheduled-maintenances/upcoming.json": b'"Database upgrade"',
        "/api/v2/scheduled-maintenances/active.json": b'"scheduled_maintenances":[]',
        "/history.atom": b"Elevated API errors",
        "/history.rss": b"Elevated API errors",
        "/maintenance.ics": b"Database upgrade",
        "/badge.svg": b"minor outage",
        f"/components/{web.public_id}/badge.svg": b"degraded performance",
    }
