"""How soon and how often customers heard about an incident: the time to its first public word
and its longest silence — whether they heard from the team before they had to ask.

A public word is an update the page showed, counted from when the public could read it: when
it was posted (its `created_at`, whatever time it displays), or, for an alert's draft, when the
draft was published (its updates appear then). A backfilled incident was never live here: its
updates count at the times written on them (`display_at`).

The clock of the first word starts at the incident's start — or at the start of its first
alert, when an alert recorded on it began earlier (an alert's draft opens when the alert
arrives, which may have been firing for a while). The silences are the gaps between
consecutive public words, and the one from the last word to the resolution (to now while the
incident is open). The definitions are in docs/postmortems.md.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise

from incidents.models import Incident

# (created_at, display_at) of one update: what its public moment is computed from.
UpdateTimes = tuple[datetime, datetime]


@dataclass(frozen=True)
class PublicWord:
    """When the clock started, when the first public word came (None: none yet), and the
    longest silence after it (None without any word)."""

    clock_started_at: datetime
    first_word_at: datetime | None
    longest_silence: timedelta | None

    @property
    def time_to_first_word(self) -> timedelta | None:
        if self.first_word_at is None:
            return None
        return max(self.first_word_at - self.clock_started_at, timedelta(0))


def public_moment(incident: Incident, created_at: datetime, display_at: datetime) -> datetime:
    """When the public could first read an update of `incident` posted at `created_at` and
    displaying `display_at`."""
    if incident.backfilled:
        return display_at
    if incident.published_at is not None:
        return max(created_at, incident.published_at)
    return created_at


def last_public_word_at(incident: Incident, newest: UpdateTimes | tuple[None, None]) -> datetime:
    """The last public word of `incident` from the newest `created_at` and `display_at` of its
    updates (a public moment grows with both); its publication, or else its start, when it
    has no update."""
    created_at, display_at = newest
    if created_at is None or display_at is None:
        return incident.published_at or incident.started_at
    return public_moment(incident, created_at, display_at)


def longest_silence(moments: list[datetime], end: datetime) -> timedelta | None:
    """The longest gap between consecutive `moments` (sorted) and from the last to `end`."""
    if not moments:
        return None
    points = [*moments, max(end, moments[-1])]
    return max(later - earlier for earlier, later in pairwise(points))


def public_word(
    incident: Incident,
    updates: Iterable[UpdateTimes],
    first_alert_at: datetime | None,
    *,
    now: datetime,
) -> PublicWord:
    """The public word of `incident` from its updates' times and the start of its first alert
    (None: none was recorded on it); `now` ends the silence of an open incident."""
    moments = sorted(public_moment(incident, created, shown) for created, shown in updates)
    starts = [incident.started_at, *([first_alert_at] if first_alert_at else [])]
    return PublicWord(
        clock_started_at=min(starts),
        first_word_at=moments[0] if moments else None,
        longest_silence=longest_silence(moments, incident.resolved_at or now),
    )
