"""The audience preview beside "Notify subscribers": how many subscribers per channel the
update would reach, worked out for the components the form shows as affected, and again
(as JSON, for audience.js) each time the on-call engineer changes a component or status.

The numbers are the notifications' own (notify.selectors): the console shows what they know."""

from django.http import HttpRequest, JsonResponse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from incidents import notification_figures
from incidents.choices import IncidentStatus
from incidents.models import Component, Incident


def sends_sms(*, declaring: bool, status: str) -> bool:
    """SMS goes only when an incident is declared or resolved (notify.outbox.is_sms_worthy)."""
    return declaring or status == IncidentStatus.RESOLVED


def audience_counts(
    components, *, incident: Incident | None, declaring: bool, status: str
) -> dict[str, int]:
    return notification_figures.audience_preview(
        components=components,
        incident=incident,
        sms=sends_sms(declaring=declaring, status=status),
    )


def preview_text(counts: dict[str, int]) -> str:
    """The preview in words: 'Reaches 12 subscribers: E-mail 10 · Webhook 2'."""
    total = sum(counts.values())
    parts = " · ".join(f"{label} {n:,}" for label, n in counts.items() if n)
    if not total:
        return _("Reaches no subscriber now.")
    return ngettext(
        "Reaches %(total)s subscriber now: %(parts)s",
        "Reaches %(total)s subscribers now: %(parts)s",
        total,
    ) % {"total": f"{total:,}", "parts": parts}


def preview_html(
    counts: dict[str, int], *, url: str, declaring: bool, incident: Incident | None
) -> str:
    """The help text of the notify checkbox: the preview, updated live by audience.js."""
    return format_html(
        '<output class="audience-preview" data-url="{}" data-declaring="{}" data-incident="{}"'
        ' aria-live="polite">{}</output><br>{}',
        url,
        "1" if declaring else "",
        incident.pk if incident is not None else "",
        preview_text(counts),
        _("SMS goes only when an incident is declared or resolved."),
    )


def audience_view(request: HttpRequest) -> JsonResponse:
    """JSON preview for ?component=<id>…&status=…&declaring=1&incident=<id> (audience.js)."""
    ids = [value for value in request.GET.getlist("component") if value.isdigit()]
    incident_id = request.GET.get("incident", "")
    incident = Incident.objects.filter(pk=incident_id).first() if incident_id.isdigit() else None
    components = list(Component.objects.filter(pk__in=ids))
    if incident is not None:
        components += list(incident.components.exclude(pk__in=ids))
    counts = audience_counts(
        components,
        incident=incident,
        declaring=bool(request.GET.get("declaring")),
        status=request.GET.get("status", ""),
    )
    return JsonResponse({"text": preview_text(counts), "counts": counts})
