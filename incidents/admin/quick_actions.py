"""Quick actions on an open incident's page: "Identified", "Monitoring" and "Resolve" are links
(?status=…) that reload the page with its update form prefilled — status, English and Japanese
text from the team's template for that status, else a standard sentence
(incidents.update_wording). They post nothing: the engineer reads the form, changes what needs
changing and posts it as any update. Plain links, so they work without JavaScript."""

from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from incidents.choices import IncidentStatus
from incidents.models import Incident
from incidents.update_wording import StandardText, standard_update_text

STATUS_PARAMETER = "status"
# The anchor of the update form, which the page scrolls to once prefilled.
UPDATE_FORM_ANCHOR = "update-form"
QUICK_LABELS: dict[str, Promise] = {
    IncidentStatus.IDENTIFIED: _("Identified"),
    IncidentStatus.MONITORING: _("Monitoring"),
    IncidentStatus.RESOLVED: _("Resolve"),
}


@dataclass(frozen=True)
class QuickAction:
    status: str
    label: Promise
    url: str


@dataclass(frozen=True)
class Prefill:
    """What a quick action puts in the update form."""

    status: str
    text: StandardText


def quick_actions(incident: Incident) -> list[QuickAction]:
    """The quick actions of an open incident, but the one of the status it already has."""
    return [
        QuickAction(status, label, f"?{urlencode({STATUS_PARAMETER: status})}#{UPDATE_FORM_ANCHOR}")
        for status, label in QUICK_LABELS.items()
        if status != incident.status
    ]


def requested_prefill(request: HttpRequest) -> Prefill | None:
    """The prefill a quick action's link asks for; None for anything else. Only a page being
    shown is prefilled: a posted form is compared with the incident as it is."""
    status = request.GET.get(STATUS_PARAMETER, "") if request.method == "GET" else ""
    if status not in QUICK_LABELS:
        return None
    return Prefill(status=status, text=standard_update_text(status))
