"""The overview's 90-day bars, kept rendered in the cache between page versions.

Most updates posted during an outage change words, not component statuses, yet each one makes
the whole page render again; the bars are most of that work (810 cells). A bar depends only on
its component's status history, the incidents touching it, the page's zone, the language and
the time, so it is kept under a key made of exactly those: the history's version (last change
id, count, last change time: a backfill moves it too), the incident rows themselves, the zone
and the current minute (today's outage minutes keep growing during an outage). Anything that
changes what a bar shows changes its key; nothing is invalidated by hand. Without the cache
(down, or skipped after a failure) the bars are simply rendered.
"""

import hashlib
import zoneinfo
from dataclasses import dataclass
from datetime import datetime

from django.utils.safestring import SafeString

from incidents import selectors, shared_cache
from incidents.models import Component
from statuspage.views.day_cells import first_bar_day, incident_rows, uptime_bars
from statuspage.views.day_html import uptime_cells

BAR_SECONDS = 120


@dataclass(frozen=True)
class RenderedBar:
    """A bar as the overview shows it: its cells' HTML and the period's uptime percentage."""

    cells_html: SafeString
    uptime_percentage: float | None


def bar_key(component: Component, version, rows, *, days: int, tz, minute, language) -> str:
    facts = repr((component.start_date, version, rows, days, tz.key, minute, language))
    digest = hashlib.blake2b(facts.encode(), digest_size=16).hexdigest()
    return f"bar:{component.pk}:{digest}"


def rendered_bars(
    components: list[Component], *, days: int, tz: zoneinfo.ZoneInfo, now: datetime, language
) -> dict[int, RenderedBar]:
    """Each component's bar, from the cache or rendered (two queries to build the keys; two
    more for the bars that were not kept)."""
    if not components:
        return {}
    ids = [c.pk for c in components]
    rows = incident_rows(ids, first_day=first_bar_day(days=days, tz=tz, now=now), tz=tz, now=now)
    versions = selectors.status_history_versions(ids)
    minute = now.replace(second=0, microsecond=0)
    keys = {
        c.pk: bar_key(
            c,
            versions.get(c.pk),
            [row for row in rows if row[0] == c.pk],
            days=days,
            tz=tz,
            minute=minute,
            language=language,
        )
        for c in components
    }
    found = shared_cache.get_many(list(keys.values()))
    missing = [c for c in components if keys[c.pk] not in found]
    if missing:
        bars = uptime_bars(missing, days=days, tz=tz, now=now, rows=rows)
        fresh = {
            keys[pk]: RenderedBar(uptime_cells(bar, language), bar.uptime_percentage)
            for pk, bar in bars.items()
        }
        shared_cache.put_many(fresh, BAR_SECONDS)
        found.update(fresh)
    return {c.pk: found[keys[c.pk]] for c in components}
