"""The overview page `/`: the roll-up, what is happening now, the components with their 90-day
bars, planned work and the last seven days (grouped by day as statuspage.views.day_groups
says)."""

import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.http import HttpRequest, HttpResponse
from django.utils import translation

from incidents import selectors
from incidents.choices import ComponentStatus
from incidents.models import Component, ComponentGroup
from incidents.uptime import DEFAULT_DAYS
from statuspage.page_frame import page_response, public_context
from statuspage.public_cache import public_response
from statuspage.views.bar_cache import RenderedBar, rendered_bars
from statuspage.views.context import BANNER_TEXT, day_start
from statuspage.views.day_groups import SPARE_DAYS, day_groups
from statuspage.views.live import live_config

PAST_DAYS = 7


@dataclass(frozen=True)
class ComponentRow:
    component: Component
    bar: RenderedBar | None


@dataclass(frozen=True)
class EntryView:
    """A group (collapsible) or a lone component, as the page shows it."""

    group: ComponentGroup | None
    rows: list[ComponentRow]
    status: str

    @property
    def is_open(self) -> bool:
        return self.status != ComponentStatus.OPERATIONAL


def is_shown(component: Component) -> bool:
    return not (component.only_show_if_degraded and component.status == ComponentStatus.OPERATIONAL)


def component_entries(
    entries: list[selectors.ComponentEntry], *, tz: zoneinfo.ZoneInfo, now: datetime
) -> list[EntryView]:
    """The entries with their shown components, and a 90-day bar for each showcased one."""
    shown = [(entry, [c for c in entry.components if is_shown(c)]) for entry in entries]
    shown = [(entry, components) for entry, components in shown if components]
    showcased = [c for _, components in shown for c in components if c.showcase]
    bars = rendered_bars(
        showcased, days=DEFAULT_DAYS, tz=tz, now=now, language=translation.get_language()
    )
    return [
        EntryView(
            group=entry.group,
            rows=[ComponentRow(c, bars.get(c.pk)) for c in components],
            status=entry.status,
        )
        for entry, components in shown
    ]


@public_response
def overview(request: HttpRequest) -> HttpResponse:
    page, updated_at = selectors.page_settings_with_updated_at()
    context = public_context(request, page, section="overview", last_updated=updated_at)
    tz, now = context["tz"], context["now"]
    today = context["today"]
    entries = selectors.components_in_order()
    listed = selectors.overview_incidents(
        started_since=day_start(today - timedelta(days=PAST_DAYS - 1 + SPARE_DAYS), tz),
        until=day_start(today + timedelta(days=1), tz),
    )
    # The roll-up of what this page shows, without reading it all again (selectors.page_status).
    status = selectors.rollup_of_rows(entries, listed.unresolved, listed.active_maintenances)
    context.update(
        status=status,
        banner=BANNER_TEXT[status.indicator],
        incidents=listed.unresolved,
        active_maintenances=listed.active_maintenances,
        entries=component_entries(entries, tz=tz, now=now),
        upcoming_maintenances=listed.upcoming_maintenances,
        past_days=day_groups(listed.started_recently, today=today, days=PAST_DAYS, tz=tz),
        live=(
            live_config(language=context["language"])
            if listed.unresolved or listed.active_maintenances
            else None
        ),
    )
    return page_response(request, "statuspage/overview.html", context)
