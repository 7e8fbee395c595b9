"""A hand-built incident for the post-mortem tests, written through the services at fixed times.

Timeline (UTC, 2026-03-10):
  10:00  a monitor sets API to partial outage (nobody has declared anything yet)
  10:12  declared: API major outage, Web degraded performance
  10:30  identified
  10:50  monitoring: API back to operational (Web still degraded)
  11:20  resolved: Web back to operational
"""

from datetime import UTC, datetime, timedelta

import time_machine

from incidents import services
from incidents.choices import StatusChangeSource
from incidents.models import Component, Incident

DAY = datetime(2026, 3, 10, tzinfo=UTC)


def at(hh_mm: str) -> datetime:
    hour, minute = (int(part) for part in hh_mm.split(":"))
    return DAY + timedelta(hours=hour, minutes=minute)


# After the incident, when the tests run.
AFTER = at("15:00")


def make_components() -> dict[str, Component]:
    created = DAY - timedelta(days=10)
    return {
        name: services.create_component(name=name, created_at=created, position=n)
        for n, name in enumerate(("API", "Web", "Database"))
    }


def hand_built_incident(components: dict[str, Component], author=None) -> Incident:
    api, web = components["API"], components["Web"]
    with time_machine.travel(at("10:00"), tick=False):
        services.set_component_status(
            component=api, status="partial_outage", source=StatusChangeSource.API
        )
    with time_machine.travel(at("10:12"), tick=False):
        incident = services.declare_incident(
            name="API errors",
            body="API errors.",
            component_statuses={api: "major_outage", web: "degraded_performance"},
            author=author,
        )
    steps = [
        ("10:30", "identified", "A bad deploy.", {}),
        ("10:50", "monitoring", "Rolled back.", {api: "operational"}),
        ("11:20", "resolved", "All good.", {}),
    ]
    for moment, status, body, statuses in steps:
        with time_machine.travel(at(moment), tick=False):
            services.post_update(
                incident=incident,
                status=status,
                body=body,
                component_statuses=statuses,
                author=author,
            )
    incident.refresh_from_db()
    return incident


COMPLETE_SECTIONS = {
    "summary": "A bad deploy broke the API for an hour.",
    "customer_impact": "API calls failed; the dashboard was slow.",
    "root_cause": "A configuration change lowered the connection limit.",
    "detection_method": "monitoring",
}
