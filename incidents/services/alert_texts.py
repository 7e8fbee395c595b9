"""The words of an alert's draft: its name, its first update listing the firing alerts, and
the notes later alerts add. Plain Markdown in the page's default language, naming each alert
and its summary only: labels (hosts, addresses) stay in the console's list of the alerts,
since a published draft is public."""

from collections.abc import Iterable, Sequence

from incidents.choices import AlertStatus

# Alerts listed in one text; the rest are counted.
MAX_LISTED = 20
NAME_LENGTH = 200


def alert_name(alert) -> str:
    return alert.name or alert.labels.get("alertname") or alert.fingerprint


def draft_name(delivery, firing: Sequence) -> str:
    """The group's common summary, else its title or common alertname, else the first firing
    alert's summary or name."""
    candidates = [
        delivery.common_annotations.get("summary", ""),
        delivery.title,
        delivery.common_labels.get("alertname", ""),
    ]
    if firing:
        candidates += [firing[0].annotations.get("summary", ""), alert_name(firing[0])]
    name = next((" ".join(c.split()) for c in candidates if c and c.strip()), "Alert")
    return name[:NAME_LENGTH]


def alert_line(alert) -> str:
    summary = alert.annotations.get("summary") or alert.annotations.get("description") or ""
    line = f"- **{alert_name(alert)}**" + (f": {summary}" if summary else "")
    return " ".join(line.split())  # one line: an annotation's line breaks would end the list


def listing(alerts: Sequence) -> str:
    lines = [alert_line(alert) for alert in alerts[:MAX_LISTED]]
    if len(alerts) > MAX_LISTED:
        lines.append(f"- … and {len(alerts) - MAX_LISTED} more")
    return "\n".join(lines)


def firing_text(firing: Sequence) -> str:
    """The first update of a draft: the alerts that opened it."""
    head = "1 alert is firing" if len(firing) == 1 else f"{len(firing)} alerts are firing"
    return f"{head}:\n\n{listing(firing)}"


def note_text(alerts: Sequence, released: Iterable) -> str:
    """A note on a draft: the alerts that fired or resolved since, and the components that
    went back to operational."""
    firing = [a for a in alerts if a.status == AlertStatus.FIRING]
    resolved = [a for a in alerts if a.status == AlertStatus.RESOLVED]
    parts = []
    if firing:
        parts.append(f"Firing:\n\n{listing(firing)}")
    if resolved:
        parts.append(f"Resolved:\n\n{listing(resolved)}")
    names = [str(component) for component in released]
    if names:
        parts.append(f"Back to operational: {', '.join(names)}.")
    return "\n\n".join(parts)
