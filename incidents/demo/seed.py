"""Write the demo page through incidents.services, adding only what is missing.

Natural keys make it re-runnable: a group by name, a component by (group, name), an incident or
maintenance by (kind, name), a template by name; a component's blips only while it has none; a
post-mortem (with its recovery actions) by its incident; a demo person by user name.
Page settings are filled only while they still hold the defaults, so a page someone has set up
is left alone.
"""

from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from incidents import selectors, services
from incidents.choices import (
    ACTIVE_MAINTENANCE_STATUSES,
    UNFINISHED_ACTION_STATES,
    UNRESOLVED_INCIDENT_STATUSES,
    IncidentKind,
    IncidentStatus,
    MaintenanceStatus,
    PostMortemStatus,
    StatusChangeSource,
)
from incidents.demo.content import (
    COMPONENT_AGE,
    CURRENT_INCIDENT,
    GROUPS,
    IN_PROGRESS_MAINTENANCE,
    PAGE,
    TEMPLATES,
    UNGROUPED,
    UPCOMING_MAINTENANCE,
    CurrentIncident,
    DemoComponent,
    DemoMaintenance,
)
from incidents.demo.history import BLIPS, PAST_INCIDENTS, Blip, PastIncident
from incidents.demo.postmortems import seed_postmortems
from incidents.models import (
    Component,
    ComponentGroup,
    ComponentStatusChange,
    Incident,
    PageSettings,
    PostMortem,
    RecoveryAction,
    UpdateTemplate,
)
from incidents.services.components import status_as_of

Components = dict[str, Component]


@dataclass
class SeedSummary:
    """What one run added, and what the page holds now."""

    added: Counter = field(default_factory=Counter)

    def lines(self) -> list[str]:
        page = selectors.page_settings()
        added = ", ".join(f"{what}: {n}" for what, n in self.added.items()) or "nothing"
        incidents = Incident.objects.filter(kind=IncidentKind.INCIDENT)
        maintenances = Incident.objects.filter(kind=IncidentKind.MAINTENANCE)
        return [
            f"Demo page “{page.name}” ({page.url})",
            f"  added — {added}",
            f"  on the page: {ComponentGroup.objects.count()} groups, "
            f"{Component.objects.count()} components, {incidents.count()} incidents "
            f"({incidents.filter(status__in=UNRESOLVED_INCIDENT_STATUSES).count()} open), "
            f"{maintenances.count()} maintenances "
            f"({maintenances.filter(status__in=ACTIVE_MAINTENANCE_STATUSES).count()} in progress, "
            f"{maintenances.filter(status=MaintenanceStatus.SCHEDULED).count()} scheduled), "
            f"{UpdateTemplate.objects.count()} update templates",
            f"  {postmortem_line()}",
        ]


def postmortem_line() -> str:
    published = PostMortem.objects.filter(status=PostMortemStatus.PUBLISHED).count()
    unfinished = RecoveryAction.objects.filter(state__in=UNFINISHED_ACTION_STATES)
    today = timezone.now().astimezone(selectors.page_time_zone()).date()
    return (
        f"{PostMortem.objects.count()} post-mortems ({published} published), "
        f"{RecoveryAction.objects.count()} recovery actions ({unfinished.count()} open, "
        f"{selectors.overdue_actions(today).count()} overdue)"
    )


def seed_demo(*, now: datetime | None = None) -> SeedSummary:
    """Add whatever part of the demo page is missing, in one transaction.

    History goes first and in time order (backfilled rows take their old status from the rows
    before them), then the open incident and the maintenance windows.
    """
    now = now or timezone.now()
    summary = SeedSummary()
    with transaction.atomic():
        seed_page(summary.added)
        components = seed_components(now=now, added=summary.added)
        seed_history(components, now=now, added=summary.added)
        seed_current_incident(components, now=now, added=summary.added)
        seed_maintenance(components, now=now, added=summary.added)
        seed_templates(summary.added)
        seed_postmortems(now=now, added=summary.added)
    return summary


def seed_page(added: Counter) -> None:
    if selectors.page_settings().name != PageSettings._meta.get_field("name").default:
        return
    services.edit_page_settings(**PAGE, url=settings.SITE_URL)
    added["page settings"] += 1


def seed_components(*, now: datetime, added: Counter) -> Components:
    created_at = now - COMPONENT_AGE
    found: Components = {}
    for number, demo_group in enumerate(GROUPS, start=1):
        group = ComponentGroup.objects.filter(name=demo_group.name).first()
        if group is None:
            group = services.create_component_group(
                name=demo_group.name,
                name_ja=demo_group.name_ja,
                description=demo_group.description,
                description_ja=demo_group.description_ja,
                position=number * 10,
            )
            added["groups"] += 1
        for position, demo in enumerate(demo_group.components, start=1):
            found[demo.name] = ensure_component(demo, group, position, created_at, added)
    for number, demo in enumerate(UNGROUPED, start=len(GROUPS) + 1):
        found[demo.name] = ensure_component(demo, None, number * 10, created_at, added)
    return found


def ensure_component(
    demo: DemoComponent,
    group: ComponentGroup | None,
    position: int,
    created_at: datetime,
    added: Counter,
) -> Component:
    component = Component.objects.filter(group=group, name=demo.name).first()
    if component is None:
        component = services.create_component(
            name=demo.name,
            name_ja=demo.name_ja,
            description=demo.description,
            description_ja=demo.description_ja,
            group=group,
            position=position,
            created_at=created_at,
        )
        added["components"] += 1
    return component


def days_ago_at(now: datetime, days: int, hh_mm: str) -> datetime:
    hour, minute = (int(part) for part in hh_mm.split(":"))
    day = (now - timedelta(days=days)).astimezone(UTC)
    return day.replace(hour=hour, minute=minute, second=0, microsecond=0)


def seed_history(components: Components, *, now: datetime, added: Counter) -> None:
    without_blips = {
        name
        for name, component in components.items()
        if not ComponentStatusChange.objects.filter(
            component=component, source=StatusChangeSource.BACKFILL, incident_update=None
        ).exists()
    }
    events: list[tuple[datetime, PastIncident | Blip]] = [
        (days_ago_at(now, event.days_ago, event.at), event) for event in PAST_INCIDENTS + BLIPS
    ]
    for start, event in sorted(events, key=lambda pair: pair[0]):
        if isinstance(event, Blip):
            if event.component in without_blips:
                write_blip(event, components[event.component], start)
                added["blips"] += 1
        elif not incident_exists(IncidentKind.INCIDENT, event.name):
            write_incident(event, components, start=start, backfilled=True)
            added["past incidents"] += 1


def write_blip(blip: Blip, component: Component, start: datetime) -> None:
    back_to = status_as_of(component, start)
    end = start + timedelta(minutes=blip.minutes)
    for status, at in ((blip.status, start), (back_to, end)):
        services.set_component_status(
            component=component,
            status=status,
            source=StatusChangeSource.BACKFILL,
            at=at,
            backfill=True,
        )


def incident_exists(kind: str, name: str) -> bool:
    return Incident.objects.filter(kind=kind, name=name).exists()


def write_incident(
    demo: PastIncident | CurrentIncident,
    components: Components,
    *,
    start: datetime,
    backfilled: bool,
) -> Incident:
    """Declare the incident at `start` and post each later step at its time."""
    first, *rest = demo.steps
    incident = services.declare_incident(
        name=demo.name,
        name_ja=demo.name_ja,
        status=first.status,
        body=first.body,
        body_ja=first.body_ja,
        component_statuses={components[c]: s for c, s in first.components.items()},
        started_at=start,
        backfilled=backfilled,
        deliver_notifications=False,
    )
    for step in rest:
        statuses = {components[c]: s for c, s in step.components.items()}
        display_at = start + step.after
        if step.status == IncidentStatus.RESOLVED:
            services.resolve_incident(
                incident=incident,
                body=step.body,
                body_ja=step.body_ja,
                component_statuses=statuses,
                display_at=display_at,
                deliver_notifications=False,
            )
        else:
            services.post_update(
                incident=incident,
                status=step.status,
                body=step.body,
                body_ja=step.body_ja,
                component_statuses=statuses,
                display_at=display_at,
                deliver_notifications=False,
            )
    return incident


def seed_current_incident(components: Components, *, now: datetime, added: Counter) -> None:
    demo = CURRENT_INCIDENT
    if incident_exists(IncidentKind.INCIDENT, demo.name):
        return
    write_incident(demo, components, start=now - demo.started_ago, backfilled=False)
    added["open incidents"] += 1


def seed_maintenance(components: Components, *, now: datetime, added: Counter) -> None:
    if not incident_exists(IncidentKind.MAINTENANCE, UPCOMING_MAINTENANCE.name):
        starts = (now + UPCOMING_MAINTENANCE.starts_in).replace(minute=0, second=0, microsecond=0)
        schedule(UPCOMING_MAINTENANCE, components, starts)
        added["scheduled maintenances"] += 1
    if not incident_exists(IncidentKind.MAINTENANCE, IN_PROGRESS_MAINTENANCE.name):
        demo = IN_PROGRESS_MAINTENANCE
        starts = (now + demo.starts_in).replace(second=0, microsecond=0)
        maintenance = schedule(demo, components, starts)
        services.start_maintenance(
            maintenance=maintenance,
            body=demo.start_body,
            body_ja=demo.start_body_ja,
            deliver_notifications=False,
        )
        added["maintenances in progress"] += 1


def schedule(demo: DemoMaintenance, components: Components, starts: datetime) -> Incident:
    return services.schedule_maintenance(
        name=demo.name,
        name_ja=demo.name_ja,
        body=demo.body,
        body_ja=demo.body_ja,
        scheduled_for=starts,
        scheduled_until=starts + demo.lasts,
        components=[components[name] for name in demo.components],
        remind_minutes_before=demo.remind_minutes_before,
        deliver_notifications=False,
    )


def seed_templates(added: Counter) -> None:
    for demo in TEMPLATES:
        if not UpdateTemplate.objects.filter(name=demo.name).exists():
            services.save_update_template(**asdict(demo))
            added["update templates"] += 1
