"""Reliability figures, computed from recorded times and the component status history, never
typed: an incident's key durations and customer impact (for its post-mortem), and, per
component and month, the figures a team brings to its review meeting.

The definitions are in docs/postmortems.md; in short, with T0 the moment the impact began:

- time to detect      = detected − T0 (0 when the team knew before the impact showed)
- time to acknowledge = declared − detected
- time to mitigate    = mitigated − T0
- time to resolve     = resolved − T0

and, of what customers heard (incidents.public_word): the time to the first public word and the
longest silence between public words.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import pairwise

from django.utils import timezone
from django.utils.translation import gettext

from incidents import selectors
from incidents.choices import ComponentStatus
from incidents.models import Component, Incident, PostMortem
from incidents.public_word import PublicWord, public_word
from incidents.uptime import (
    Segment,
    WindowFigures,
    component_segments,
    uptime_percentage,
    window_figures,
)

# How far before an incident was declared the status history is searched for the start of an
# outage that was already under way.
LOOKBACK = timedelta(hours=24)
# Statuses that mean customers are affected (maintenance is planned, not an impact).
IMPACT_STATUSES = frozenset(
    {
        ComponentStatus.DEGRADED_PERFORMANCE,
        ComponentStatus.PARTIAL_OUTAGE,
        ComponentStatus.MAJOR_OUTAGE,
    }
)


@dataclass(frozen=True)
class KeyDurations:
    """The moments of an incident and the durations between them (None: not reached yet)."""

    impact_started_at: datetime
    detected_at: datetime
    acknowledged_at: datetime
    mitigated_at: datetime | None
    resolved_at: datetime | None
    public_word: PublicWord | None = None

    @property
    def time_to_detect(self) -> timedelta:
        return max(self.detected_at - self.impact_started_at, timedelta(0))

    @property
    def time_to_acknowledge(self) -> timedelta:
        known_since = max(self.detected_at, self.impact_started_at)
        return max(self.acknowledged_at - known_since, timedelta(0))

    @property
    def time_to_mitigate(self) -> timedelta | None:
        return self.mitigated_at - self.impact_started_at if self.mitigated_at else None

    @property
    def time_to_resolve(self) -> timedelta | None:
        return self.resolved_at - self.impact_started_at if self.resolved_at else None

    @property
    def time_to_first_public_word(self) -> timedelta | None:
        return self.public_word.time_to_first_word if self.public_word else None

    @property
    def longest_silence(self) -> timedelta | None:
        return self.public_word.longest_silence if self.public_word else None


@dataclass(frozen=True)
class ComponentImpact:
    """How one affected component fared between the start of the impact and the resolution."""

    component: Component
    figures: WindowFigures


@dataclass(frozen=True)
class IncidentFigures:
    durations: KeyDurations
    impact: list[ComponentImpact]


def spell_start(segments: list[Segment], at: datetime) -> datetime | None:
    """When the run of impact statuses that was under way just before `at` began (None when
    the component was fine then)."""
    index = next(
        (n for n, (start, end, _) in enumerate(segments) if start < at <= end),
        None,
    )
    if index is None or segments[index][2] not in IMPACT_STATUSES:
        return None
    while index > 0 and segments[index - 1][2] in IMPACT_STATUSES:
        index -= 1
    return segments[index][0]


def first_recovery(segments: list[Segment], after: datetime) -> datetime | None:
    """The first moment after `after` when the component went from an impact status back to
    operational."""
    for previous, current in pairwise(segments):
        if (
            current[0] > after
            and current[2] == ComponentStatus.OPERATIONAL
            and previous[2] in IMPACT_STATUSES
        ):
            return current[0]
    return None


def key_durations(
    incident: Incident,
    postmortem: PostMortem | None,
    spans: dict[int, list[Segment]],
    word: PublicWord | None = None,
) -> KeyDurations:
    """The key moments of `incident` from its recorded times, the post-mortem's recorded
    impact start and detection time, and `spans` (its components' status history); with
    `word`, its public word (incidents.public_word)."""
    declared = incident.started_at
    recorded_start = postmortem.impact_started_at if postmortem else None
    spells = [spell_start(s, declared) for s in spans.values()]
    earliest_spell = max(min(filter(None, spells), default=declared), declared - LOOKBACK)
    impact_started = min(filter(None, (declared, recorded_start, earliest_spell)))
    recoveries = [first_recovery(s, impact_started) for s in spans.values()]
    ends = [incident.monitoring_at, incident.resolved_at, *recoveries]
    reached = [moment for moment in ends if moment is not None and moment >= impact_started]
    return KeyDurations(
        impact_started_at=impact_started,
        detected_at=(postmortem.detected_at if postmortem else None) or declared,
        acknowledged_at=declared,
        mitigated_at=min(reached, default=None),
        resolved_at=incident.resolved_at,
        public_word=word,
    )


def history_start(incident: Incident, postmortem: PostMortem | None) -> datetime:
    recorded = postmortem.impact_started_at if postmortem else None
    return min(incident.started_at - LOOKBACK, recorded or incident.started_at)


def incident_figures(
    incident: Incident, postmortem: PostMortem | None = None, *, now: datetime | None = None
) -> IncidentFigures:
    """The key durations of `incident` (its public word among them) and, per affected
    component, its minutes of major and partial outage (and degraded performance) from the
    start of the impact to the resolution (or now). Three queries besides the incident's
    components (prefetch them)."""
    now = now or timezone.now()
    components = list(incident.components.all())
    end = incident.resolved_at or now
    spans = component_segments(
        [c.pk for c in components], start=history_start(incident, postmortem), end=end
    )
    updates, first_alert_at = selectors.public_word_times(incident)
    word = public_word(incident, updates, first_alert_at, now=now)
    durations = key_durations(incident, postmortem, spans, word)
    impact = [
        ComponentImpact(c, window_figures(spans[c.pk], durations.impact_started_at, end))
        for c in components
    ]
    return IncidentFigures(durations=durations, impact=impact)


def duration_text(delta: timedelta | None) -> str:
    """A duration in whole minutes, in the active language: "1 h 20 min", "45 min"; an
    em dash for None (not reached)."""
    if delta is None:
        return "—"
    minutes = round(delta.total_seconds() / 60)
    if minutes < 60:
        return gettext("%(minutes)s min") % {"minutes": minutes}
    return gettext("%(hours)s h %(minutes)s min") % {
        "hours": minutes // 60,
        "minutes": minutes % 60,
    }


def mean(values: list[timedelta | None]) -> timedelta | None:
    known = [value for value in values if value is not None]
    return sum(known, timedelta(0)) / len(known) if known else None


def worst(values: list[timedelta | None]) -> timedelta | None:
    return max((value for value in values if value is not None), default=None)


@dataclass(frozen=True)
class ComponentMonth:
    component: Component
    incidents: int
    major_outage_minutes: int
    partial_outage_minutes: int
    uptime_percentage: float | None
    mean_time_to_detect: timedelta | None
    mean_time_to_resolve: timedelta | None


@dataclass(frozen=True)
class IncidentWord:
    """An incident of the month and what its customers heard (incidents.public_word)."""

    incident: Incident
    word: PublicWord


@dataclass(frozen=True)
class MonthReport:
    first_day: date
    incidents: int
    mean_time_to_detect: timedelta | None
    mean_time_to_resolve: timedelta | None
    components: list[ComponentMonth]
    # Of the month's incidents, oldest first: the time to the first public word and the
    # longest silence, each incident's, and their mean and worst.
    words: list[IncidentWord] = field(default_factory=list)

    @property
    def mean_time_to_first_word(self) -> timedelta | None:
        return mean([w.word.time_to_first_word for w in self.words])

    @property
    def worst_time_to_first_word(self) -> timedelta | None:
        return worst([w.word.time_to_first_word for w in self.words])

    @property
    def mean_longest_silence(self) -> timedelta | None:
        return mean([w.word.longest_silence for w in self.words])

    @property
    def worst_longest_silence(self) -> timedelta | None:
        return worst([w.word.longest_silence for w in self.words])


def month_starts(today: date, months: int) -> list[date]:
    """The first days of the last `months` months, this one first."""
    firsts = []
    first = today.replace(day=1)
    for _ in range(months):
        firsts.append(first)
        first = (first - timedelta(days=1)).replace(day=1)
    return firsts


def next_month(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1)


def reliability_report(*, months: int = 3, now: datetime | None = None) -> list[MonthReport]:
    """Per month (this one first) and component: incidents, minutes of major and partial
    outage, weighted uptime, mean time to detect and to resolve; components in page order.
    Per month and incident: the time to the first public word and the longest silence.
    Eight queries in all."""
    now = now or timezone.now()
    tz = selectors.page_time_zone()
    firsts = month_starts(now.astimezone(tz).date(), months)
    opening = datetime.combine(firsts[-1], time.min, tzinfo=tz)
    entries = selectors.components_in_order(include_archived=True)
    components = [c for entry in entries for c in entry.components]
    incidents = selectors.incidents_started_since(opening)
    spans = component_segments([c.pk for c in components], start=opening - LOOKBACK, end=now)
    words = {i.pk: incident_word(i, now) for i in incidents}
    durations = {i.pk: incident_durations(i, spans, words[i.pk]) for i in incidents}
    by_month: dict[date, list[Incident]] = defaultdict(list)
    for incident in incidents:
        by_month[incident.started_at.astimezone(tz).date().replace(day=1)].append(incident)
    reports = []
    for first in firsts:
        window = (
            datetime.combine(first, time.min, tzinfo=tz),
            min(datetime.combine(next_month(first), time.min, tzinfo=tz), now),
        )
        month_incidents = by_month.get(first, [])
        rows = [
            component_month(c, month_incidents, durations, spans[c.pk], window) for c in components
        ]
        reports.append(month_report(first, month_incidents, durations, rows))
    return reports


def incident_word(incident: Incident, now: datetime) -> PublicWord:
    """The public word of an incident read by incidents_started_since (no query)."""
    updates = [(u.created_at, u.display_at) for u in incident.updates.all()]
    first_alert_at = getattr(incident, "first_alert_at", None)
    return public_word(incident, updates, first_alert_at, now=now)


def incident_durations(
    incident: Incident, spans: dict[int, list[Segment]], word: PublicWord
) -> KeyDurations:
    postmortem = getattr(incident, "postmortem", None)
    own = {c.pk: spans.get(c.pk, []) for c in incident.components.all()}
    return key_durations(incident, postmortem, own, word)


def month_report(
    first: date,
    incidents: list[Incident],
    durations: dict[int, KeyDurations],
    rows: list[ComponentMonth],
) -> MonthReport:
    oldest_first = sorted(incidents, key=lambda i: (i.started_at, i.pk))
    return MonthReport(
        first_day=first,
        incidents=len(incidents),
        mean_time_to_detect=mean([durations[i.pk].time_to_detect for i in incidents]),
        mean_time_to_resolve=mean([durations[i.pk].time_to_resolve for i in incidents]),
        components=rows,
        words=[
            IncidentWord(i, word) for i in oldest_first if (word := durations[i.pk].public_word)
        ],
    )


def component_month(
    component: Component,
    incidents: list[Incident],
    durations: dict[int, KeyDurations],
    segments: list[Segment],
    window: tuple[datetime, datetime],
) -> ComponentMonth:
    start, end = window
    if component.start_date:
        start = max(start, datetime.combine(component.start_date, time.min, tzinfo=start.tzinfo))
    figures = window_figures(segments, start, end)
    own = [i for i in incidents if component.pk in {c.pk for c in i.components.all()}]
    return ComponentMonth(
        component=component,
        incidents=len(own),
        major_outage_minutes=figures.major_outage_minutes,
        partial_outage_minutes=figures.partial_outage_minutes,
        uptime_percentage=uptime_percentage(figures.observed_seconds, figures.downtime_seconds),
        mean_time_to_detect=mean([durations[i.pk].time_to_detect for i in own]),
        mean_time_to_resolve=mean([durations[i.pk].time_to_resolve for i in own]),
    )
