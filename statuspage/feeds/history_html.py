"""The HTML of one history feed entry, in the form Atlassian Statuspage gives it.

One paragraph per update, newest first:

    <p><small>Nov <var data-var='date'>20</var>, <var data-var='time'>10:00</var> JST</small>
    <br><strong>Scheduled</strong> - We will upgrade the database.</p>

a first paragraph for a published post-mortem, labelled "Postmortem" (its summary, then a
link to its page); and, for a maintenance, a first paragraph with its window:

    <p><strong>THIS IS A SCHEDULED EVENT Nov <var data-var='date'>25</var>,
    <var data-var='time'>02:00</var> - <var data-var='time'>04:00</var> JST</strong></p>

Dates, labels and the scheduled-event line stay in Statuspage's English form whatever the
language, so that tools which read Statuspage feeds read these; the body follows the language,
and so does Noroshi's own note closing an update's paragraph when its text was corrected after
it was posted ("(edited Nov 20, 10:30 JST)", 「（編集済み Nov 20, 10:30 JST）」).
"""

import re
from collections.abc import Iterable, Sequence
from datetime import datetime, tzinfo

from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from incidents.choices import IncidentStatus, MaintenanceStatus
from incidents.models import Incident, IncidentUpdate, PostMortem
from incidents.rendering import render_markdown
from incidents.selectors import localized

# The label each update status gets in the feed. An update whose status is the same as the
# update before it is labelled "Update" instead, as Statuspage does.
STATUS_LABELS: dict[str, str] = {
    IncidentStatus.INVESTIGATING: "Investigating",
    IncidentStatus.IDENTIFIED: "Identified",
    IncidentStatus.MONITORING: "Monitoring",
    IncidentStatus.RESOLVED: "Resolved",
    IncidentStatus.POSTMORTEM: "Postmortem",
    MaintenanceStatus.SCHEDULED: "Scheduled",
    MaintenanceStatus.IN_PROGRESS: "In progress",
    MaintenanceStatus.VERIFYING: "Verifying",
    MaintenanceStatus.COMPLETED: "Completed",
}
REPEATED_STATUS_LABEL = "Update"

# English month names whatever the locale (strftime's %b follows the C locale of the process).
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# The paragraphs that open a rendered body. <p> cannot nest and nh3 escapes any "<" in text,
# so the first "</p>" after a leading "<p>" closes it.
LEADING_PARAGRAPH = re.compile(r"\s*<p>(.*?)</p>", re.DOTALL)


def update_labels(updates: Sequence[IncidentUpdate]) -> list[str]:
    """The feed label of each update in `updates` (newest first, as given)."""
    labels = []
    previous = None
    for update in reversed(updates):
        same = update.status == previous
        labels.append(REPEATED_STATUS_LABEL if same else STATUS_LABELS.get(update.status, ""))
        previous = update.status
    return labels[::-1]


def day_html(moment: datetime) -> str:
    return f"{MONTHS[moment.month - 1]} <var data-var='date'>{moment.day}</var>"


def time_html(moment: datetime) -> str:
    return f"<var data-var='time'>{moment:%H:%M}</var>"


def zone_name(moment: datetime) -> str:
    return escape(moment.tzname() or "UTC")


def moment_html(moment: datetime) -> str:
    """ "Nov 20, 10:00 JST", marked up as Statuspage marks it."""
    return f"{day_html(moment)}, {time_html(moment)} {zone_name(moment)}"


def window_html(start: datetime, end: datetime) -> str:
    """ "Nov 25, 02:00 - 04:00 JST"; the end names its day when it falls on another one, and
    each end names its zone when daylight saving time changes inside the window."""
    start_text = f"{day_html(start)}, {time_html(start)}"
    end_text = (
        time_html(end) if start.date() == end.date() else f"{day_html(end)}, {time_html(end)}"
    )
    if zone_name(start) != zone_name(end):
        return f"{start_text} {zone_name(start)} - {end_text} {zone_name(end)}"
    return f"{start_text} - {end_text} {zone_name(end)}"


def body_html(body: str) -> tuple[str, str]:
    """The rendered, sanitised body split in two: its leading paragraphs as inline HTML (joined
    by blank lines) and whatever blocks follow them (lists, code, quotes, later paragraphs)."""
    html = str(render_markdown(body)).strip()
    inline = []
    position = 0
    while match := LEADING_PARAGRAPH.match(html, position):
        inline.append(match.group(1))
        position = match.end()
    return "<br><br>".join(inline), html[position:].strip()


def edited_html(update: IncidentUpdate, zone: tzinfo, language: str | None) -> str:
    """ " <small>(edited Nov 20, 10:30 JST)</small>" for an update whose text was corrected,
    in the body's language, at the end of its paragraph (Statuspage's markup before it is left
    as tools read it); "" for the others."""
    if update.edited_at is None:
        return ""
    moment = update.edited_at.astimezone(zone)
    when = f"{MONTHS[moment.month - 1]} {moment.day}, {moment:%H:%M} {zone_name(moment)}"
    with translation.override(language or translation.get_language()):
        note = gettext("(edited %(time)s)") % {"time": when}
    return f" <small>{escape(note)}</small>"


def update_html(update: IncidentUpdate, label: str, zone: tzinfo, language: str | None) -> str:
    """One update: its paragraph (time, label, the body's paragraphs, the note that its text
    was edited), then any other blocks."""
    inline, blocks = body_html(localized(update, "body", language))
    text = f" - {inline}" if inline else ""
    moment = moment_html(update.display_at.astimezone(zone))
    edited = edited_html(update, zone, language)
    return (
        f"<p><small>{moment}</small><br><strong>{escape(label)}</strong>{text}{edited}</p>{blocks}"
    )


def scheduled_event_html(start: datetime, end: datetime, zone: tzinfo) -> str:
    window = window_html(start.astimezone(zone), end.astimezone(zone))
    return f"<p><strong>THIS IS A SCHEDULED EVENT {window}</strong></p>"


def postmortem_html(postmortem: PostMortem, link: str, zone: tzinfo, language: str | None) -> str:
    """A published post-mortem as an update-like paragraph (publication time, "Postmortem",
    its summary), then a paragraph linking to the whole of it."""
    inline, blocks = body_html(localized(postmortem, "summary", language))
    text = f" - {inline}" if inline else ""
    moment = (
        moment_html(postmortem.published_at.astimezone(zone)) if postmortem.published_at else ""
    )
    label = STATUS_LABELS[IncidentStatus.POSTMORTEM]
    paragraph = f"<p><small>{moment}</small><br><strong>{label}</strong>{text}</p>{blocks}"
    return f"{paragraph}<p><a href='{escape(link)}'>{escape(link)}</a></p>"


def entry_html(
    incident: Incident,
    updates: Sequence[IncidentUpdate],
    zone: tzinfo,
    language: str | None,
    postmortem: tuple[PostMortem, str] | None = None,
) -> str:
    """The whole HTML of one entry: the scheduled-event line for a maintenance, the published
    post-mortem (with the address of its page) when there is one, then one paragraph per
    update of `updates` (newest first)."""
    parts: Iterable[str] = (
        update_html(update, label, zone, language)
        for update, label in zip(updates, update_labels(updates), strict=True)
    )
    if postmortem is not None:
        parts = [postmortem_html(*postmortem, zone, language), *parts]
    start, end = incident.scheduled_for, incident.scheduled_until
    if incident.is_maintenance and start and end:
        parts = [scheduled_event_html(start, end, zone), *parts]
    return "".join(parts)
