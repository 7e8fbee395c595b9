"""What an update says when it is given a status alone: the team's own update template for that
status when there is one, else a standard sentence. A page should never show an empty update.

The management API uses it for a status sent without a body (Statuspage allows it), and the
console's quick actions prefill the update form with it (incidents.admin.quick_actions)."""

from dataclasses import dataclass

from incidents import selectors
from incidents.choices import IncidentKind, IncidentStatus, MaintenanceStatus
from incidents.models import UpdateTemplate
from incidents.services.maintenance import (
    AUTO_COMPLETE_BODY,
    AUTO_COMPLETE_BODY_JA,
    AUTO_START_BODY,
    AUTO_START_BODY_JA,
)

DEFAULT_BODIES: dict[str, tuple[str, str]] = {
    IncidentStatus.INVESTIGATING: (
        "We are investigating this issue.",
        "現在、この問題を調査しています。",
    ),
    IncidentStatus.IDENTIFIED: (
        "The issue has been identified and a fix is being implemented.",
        "原因を特定し、修正を進めています。",
    ),
    IncidentStatus.MONITORING: (
        "A fix has been implemented and we are monitoring the results.",
        "修正を適用し、経過を監視しています。",
    ),
    IncidentStatus.RESOLVED: ("This incident has been resolved.", "この問題は解決しました。"),
    MaintenanceStatus.SCHEDULED: (
        "This maintenance is scheduled.",
        "メンテナンスを予定しています。",
    ),
    MaintenanceStatus.IN_PROGRESS: (AUTO_START_BODY, AUTO_START_BODY_JA),
    MaintenanceStatus.VERIFYING: (
        "The maintenance work is done and is being verified.",
        "メンテナンス作業が終わり、確認を行っています。",
    ),
    MaintenanceStatus.COMPLETED: (AUTO_COMPLETE_BODY, AUTO_COMPLETE_BODY_JA),
}


@dataclass(frozen=True)
class StandardText:
    """An update's English and Japanese text for a status, and the template it came from
    (None for the standard sentence)."""

    body: str
    body_ja: str
    template: UpdateTemplate | None = None


def standard_update_text(status: str) -> StandardText:
    """The text of an update of `status` given no text of its own."""
    kind = IncidentKind.INCIDENT if status in IncidentStatus.values else IncidentKind.MAINTENANCE
    template = selectors.update_template_for(kind=kind, status=status)
    if template is not None:
        return StandardText(template.body, template.body_ja, template)
    return StandardText(*DEFAULT_BODIES.get(status, ("", "")))
