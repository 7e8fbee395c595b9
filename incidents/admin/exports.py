"""Admin actions that download the selected incidents as Markdown or JSON (incidents.export),
each download recorded in the audit trail."""

import json

from django.contrib import admin
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from incidents import services
from incidents.export import export_stamp, incident_document, incident_markdown
from incidents.models import Incident


def download(body: str, *, content_type: str, extension: str) -> HttpResponse:
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    filename = f"incidents-{export_stamp()}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@admin.action(description=_("Export as Markdown"), permissions=["view"])
def export_markdown(modeladmin, request, queryset):
    incidents = list(queryset.order_by("started_at", "pk"))
    text = "\n---\n\n".join(incident_markdown(i) for i in incidents)
    services.record_export(
        actor=request.user, target=Incident, summary=exported(incidents, "Markdown")
    )
    return download(text, content_type="text/markdown", extension="md")


@admin.action(description=_("Export as JSON"), permissions=["view"])
def export_json(modeladmin, request, queryset):
    incidents = list(queryset.order_by("started_at", "pk"))
    documents = [incident_document(i) for i in incidents]
    text = json.dumps(documents, ensure_ascii=False, indent=2) + "\n"
    services.record_export(actor=request.user, target=Incident, summary=exported(incidents, "JSON"))
    return download(text, content_type="application/json", extension="json")


def exported(incidents: list, form: str) -> str:
    """What an export's audit row says it downloaded."""
    return f"{len(incidents)} as {form}: " + ", ".join(i.public_id for i in incidents)
