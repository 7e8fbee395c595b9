"""Pages to render in the public-page tests: a Tokyo page at a fixed moment, written through
the services (bulk history rows only where the volume tests need many)."""

import zoneinfo
from datetime import UTC, datetime, timedelta

from incidents import services
from incidents.choices import ComponentStatus, StatusChangeSource
from incidents.models import Component, ComponentStatusChange, Incident
from tests.factories import ComponentGroupFactory

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)  # 12:00 on 10 March in Tokyo


def tokyo(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TOKYO)


def tokyo_page() -> None:
    services.edit_page_settings(
        name="Hoshizora Cloud", name_ja="ホシゾラクラウド", time_zone="Asia/Tokyo"
    )


def component(name: str, **fields) -> Component:
    fields.setdefault("created_at", tokyo(1, 1))
    return services.create_component(name=name, **fields)


def blip(target: Component, status: str, start: datetime, minutes: int) -> None:
    """A past status dip with no incident, back to operational after `minutes`."""
    for new, at in (
        (status, start),
        (ComponentStatus.OPERATIONAL, start + timedelta(minutes=minutes)),
    ):
        services.set_component_status(
            component=target, status=new, source=StatusChangeSource.BACKFILL, at=at, backfill=True
        )


def past_incident(
    name: str, statuses: dict[Component, str], start: datetime, minutes: int, **texts
) -> Incident:
    """A resolved, backfilled incident of `minutes` with three updates."""
    incident = services.declare_incident(
        name=name,
        name_ja=texts.get("name_ja", ""),
        body=texts.get("body", "We are investigating."),
        body_ja=texts.get("body_ja", ""),
        component_statuses=statuses,
        started_at=start,
        backfilled=True,
        deliver_notifications=False,
    )
    services.post_update(
        incident=incident,
        status="identified",
        body="We found the cause.",
        display_at=start + timedelta(minutes=minutes // 2),
    )
    services.resolve_incident(
        incident=incident, body="This is resolved.", display_at=start + timedelta(minutes=minutes)
    )
    return incident


def busy_page(*, components: int, incidents: int, now: datetime = NOW) -> list[Component]:
    """A Tokyo page with `components` components (two groups and lone ones), 90 days of
    history for each, `incidents` past incidents (one within the last week) and one 200 days
    old, an open incident, and maintenance completed, in progress and to come."""
    tokyo_page()
    groups = [ComponentGroupFactory(name=f"Group {n}", position=n * 10) for n in range(1, 3)]
    made = [
        component(
            f"Component {n}",
            group=groups[n % 3] if n % 3 < 2 else None,
            position=n,
            created_at=now - timedelta(days=120),
        )
        for n in range(components)
    ]
    rows = []
    for n, target in enumerate(made):
        for day in range(1, 90, 2):
            start = now - timedelta(days=day, hours=n % 5)
            rows.append((target, "operational", "partial_outage", start))
            rows.append((target, "partial_outage", "operational", start + timedelta(minutes=20)))
    ComponentStatusChange.objects.bulk_create(
        ComponentStatusChange(
            component=target, old_status=old, new_status=new, source="backfill", created_at=at
        )
        for target, old, new, at in rows
    )
    for k in range(incidents):
        start = now - timedelta(days=2 + k * (80 // incidents), hours=7)
        past_incident(f"Past incident {k}", {made[k % components]: "major_outage"}, start, 45)
    past_incident("Old incident", {made[0]: "partial_outage"}, now - timedelta(days=200), 30)
    services.declare_incident(
        name="Open incident", body="Investigating.", component_statuses={made[0]: "major_outage"}
    )
    window = services.schedule_maintenance(
        name="Now",
        body="Working.",
        scheduled_for=now - timedelta(minutes=10),
        scheduled_until=now + timedelta(hours=1),
        components=[made[1]],
    )
    services.start_maintenance(maintenance=window)
    done = services.schedule_maintenance(
        name="Done",
        body="Earlier.",
        scheduled_for=now - timedelta(hours=3),
        scheduled_until=now + timedelta(hours=1),
        components=[made[-1]],
    )
    services.start_maintenance(maintenance=done, display_at=now - timedelta(hours=3))
    services.complete_maintenance(maintenance=done)
    services.schedule_maintenance(
        name="Later",
        body="Planned.",
        scheduled_for=now + timedelta(days=2),
        scheduled_until=now + timedelta(days=2, hours=1),
        components=[made[-1]],
    )
    return made
