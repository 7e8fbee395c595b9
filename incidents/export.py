"""An incident as a document for a team's own archive: its facts, its update timeline, its
post-mortem (sections, timeline, key figures, customer impact) and its recovery actions, as
JSON or as Markdown. Reads only; people appear by user name, never by email address."""

import json
from datetime import date, datetime, timedelta, tzinfo

from django.utils import timezone

from incidents import notification_figures, selectors
from incidents.models import Incident, IncidentUpdate, PostMortem
from incidents.models.postmortems import SECTION_LABELS, SECTIONS
from incidents.reliability import IncidentFigures, incident_figures

FORMATS = ("markdown", "json")


def name_of(user) -> str | None:
    return user.get_username() if user is not None else None


def moment(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def minutes(delta: timedelta | None) -> float | None:
    return round(delta.total_seconds() / 60, 1) if delta is not None else None


def update_document(update: IncidentUpdate) -> dict:
    return {
        "id": update.public_id,
        "status": update.status,
        "display_at": moment(update.display_at),
        "body": update.body,
        "body_ja": update.body_ja,
        "author": name_of(update.author),
        "components": [
            {"name": c.component.name, "old_status": c.old_status, "new_status": c.new_status}
            for c in update.affected_components.all()
        ],
    }


def figures_document(figures: IncidentFigures) -> dict:
    d = figures.durations
    return {
        "impact_started_at": moment(d.impact_started_at),
        "detected_at": moment(d.detected_at),
        "acknowledged_at": moment(d.acknowledged_at),
        "mitigated_at": moment(d.mitigated_at),
        "resolved_at": moment(d.resolved_at),
        "time_to_detect_minutes": minutes(d.time_to_detect),
        "time_to_acknowledge_minutes": minutes(d.time_to_acknowledge),
        "time_to_mitigate_minutes": minutes(d.time_to_mitigate),
        "time_to_resolve_minutes": minutes(d.time_to_resolve),
        "time_to_first_public_word_minutes": minutes(d.time_to_first_public_word),
        "longest_silence_minutes": minutes(d.longest_silence),
        "customer_impact": [
            {
                "component": row.component.name,
                "major_outage_minutes": row.figures.major_outage_minutes,
                "partial_outage_minutes": row.figures.partial_outage_minutes,
                "degraded_minutes": row.figures.degraded_minutes,
            }
            for row in figures.impact
        ],
    }


def postmortem_document(postmortem: PostMortem, figures: IncidentFigures) -> dict:
    sections = {}
    for section in SECTIONS:
        sections[section] = getattr(postmortem, section)
        sections[f"{section}_ja"] = getattr(postmortem, f"{section}_ja")
    return {
        "id": postmortem.public_id,
        "status": postmortem.status,
        "sections": sections,
        "detection_method": postmortem.detection_method,
        "author": name_of(postmortem.author),
        "submitted_by": name_of(postmortem.submitted_by),
        "reviewed_by": name_of(postmortem.reviewed_by),
        "reviewed_at": moment(postmortem.reviewed_at),
        "published_at": moment(postmortem.published_at),
        "key_figures": figures_document(figures),
        "subscribers_notified": notification_figures.notified_count(postmortem.incident),
        "timeline": [
            {"occurred_at": moment(e.occurred_at), "text": e.text, "text_ja": e.text_ja}
            for e in postmortem.timeline_entries.all()
        ],
    }


def action_documents(incident: Incident) -> list[dict]:
    return [
        {
            "id": action.public_id,
            "kind": action.kind,
            "title": action.title,
            "title_ja": action.title_ja,
            "description": action.description,
            "owner": name_of(action.owner),
            "due_on": moment(action.due_on),
            "priority": action.priority,
            "state": action.state,
            "wont_do_reason": action.wont_do_reason,
            "tracker_url": action.tracker_url,
            "components": [c.name for c in action.components.all()],
            "public": action.public,
            "completed_at": moment(action.completed_at),
        }
        for action in selectors.incident_actions(incident)
    ]


def incident_document(incident: Incident) -> dict:
    """Everything about one incident, as JSON-ready data (times in ISO 8601, UTC)."""
    postmortem = selectors.postmortem_for_incident(incident)
    figures = incident_figures(incident, postmortem)
    updates = sorted(incident.updates.all(), key=lambda u: (u.display_at, u.pk))
    return {
        "id": incident.public_id,
        "name": incident.name,
        "name_ja": incident.name_ja,
        "status": incident.status,
        "impact": incident.impact,
        "backfilled": incident.backfilled,
        "started_at": moment(incident.started_at),
        "monitoring_at": moment(incident.monitoring_at),
        "resolved_at": moment(incident.resolved_at),
        "components": [c.name for c in incident.components.all()],
        "updates": [update_document(u) for u in updates],
        "key_figures": figures_document(figures),
        "postmortem": postmortem_document(postmortem, figures) if postmortem else None,
        "recovery_actions": action_documents(incident),
    }


def incident_json(incident: Incident) -> str:
    return json.dumps(incident_document(incident), ensure_ascii=False, indent=2) + "\n"


def local(value: str | None, zone: tzinfo) -> str:
    if value is None:
        return "—"
    return f"{datetime.fromisoformat(value).astimezone(zone):%Y-%m-%d %H:%M %Z}"


def markdown_facts(doc: dict, zone: tzinfo) -> list[str]:
    return [
        f"# {doc['name']}",
        "",
        f"- Status: {doc['status']}",
        f"- Impact: {doc['impact']}",
        f"- Started: {local(doc['started_at'], zone)}",
        f"- Resolved: {local(doc['resolved_at'], zone)}",
        f"- Components: {', '.join(doc['components']) or '—'}",
        f"- Id: {doc['id']}",
        "",
    ]


def markdown_updates(doc: dict, zone: tzinfo) -> list[str]:
    lines = ["## Updates", ""]
    for update in doc["updates"]:
        lines += [f"### {local(update['display_at'], zone)} — {update['status']}", ""]
        lines += [update["body"], ""]
        changes = [
            f"- {c['name']}: {c['old_status']} → {c['new_status']}"
            for c in update["components"]
            if c["old_status"] != c["new_status"]
        ]
        lines += [*changes, ""] if changes else []
    return lines


TIMES_TO = ("detect", "acknowledge", "mitigate", "resolve")


def markdown_figures(figures: dict) -> list[str]:
    lines = ["## Key figures", "", "| figure | minutes |", "|---|---|"]
    rows = [(f"time to {name}", f"time_to_{name}_minutes") for name in TIMES_TO]
    rows += [("time to first public word", "time_to_first_public_word_minutes")]
    rows += [("longest silence", "longest_silence_minutes")]
    for label, key in rows:
        value = figures[key]
        lines.append(f"| {label} | {'—' if value is None else value} |")
    lines += ["", "| component | major outage | partial outage | degraded |", "|---|---|---|---|"]
    lines += [
        f"| {row['component']} | {row['major_outage_minutes']} | "
        f"{row['partial_outage_minutes']} | {row['degraded_minutes']} |"
        for row in figures["customer_impact"]
    ]
    return [*lines, ""]


def indented(text: str) -> str:
    """Markdown text as the body of a list item: its later lines indented under the bullet."""
    return "\n".join(
        line if n == 0 or not line else f"  {line}" for n, line in enumerate(text.splitlines())
    )


def markdown_postmortem(postmortem: dict | None, zone: tzinfo) -> list[str]:
    if postmortem is None:
        return ["## Post-mortem", "", "None yet.", ""]
    lines = [f"## Post-mortem ({postmortem['status']})", ""]
    reviewer = postmortem["reviewed_by"] or "—"
    published = local(postmortem["published_at"], zone)
    lines += [f"Reviewed by {reviewer}; published {published}.", ""]
    for section in SECTIONS:
        text = postmortem["sections"][section]
        if text:
            lines += [f"### {SECTION_LABELS[section]}", "", text, ""]
    lines += ["### Timeline", ""]
    lines += [
        f"- {local(e['occurred_at'], zone)} — {indented(e['text'])}" for e in postmortem["timeline"]
    ]
    return [*lines, ""]


def markdown_actions(actions: list[dict]) -> list[str]:
    lines = ["## Recovery actions", ""]
    if not actions:
        return [*lines, "None.", ""]
    lines += ["| kind | action | owner | due | state | public |", "|---|---|---|---|---|---|"]
    lines += [
        f"| {a['kind']} | {a['title']} | {a['owner'] or '—'} | {a['due_on'] or '—'} | "
        f"{a['state']} | {'yes' if a['public'] else 'no'} |"
        for a in actions
    ]
    return [*lines, ""]


def incident_markdown(incident: Incident) -> str:
    """The incident as a Markdown document, times in the page's time zone."""
    doc = incident_document(incident)
    zone = selectors.page_time_zone()
    lines = markdown_facts(doc, zone) + markdown_updates(doc, zone)
    lines += markdown_figures(doc["key_figures"])
    lines += markdown_postmortem(doc["postmortem"], zone) + markdown_actions(
        doc["recovery_actions"]
    )
    return "\n".join(lines).rstrip("\n") + "\n"


def export_incident(incident: Incident, *, format: str) -> str:
    """The incident as `format` ("markdown" or "json")."""
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    return incident_json(incident) if format == "json" else incident_markdown(incident)


def export_stamp() -> str:
    return timezone.now().strftime("%Y%m%d-%H%M%S")
