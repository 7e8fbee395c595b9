"""The incident screens: declare in one step (incidents.admin.incident_forms); then one page
per incident that puts first what on-call needs while it is open — quick actions
(incidents.admin.quick_actions), the timeline with each update's "Edit text"
(incidents.admin.update_edits), the update form — and then its recovery actions and details."""

from datetime import datetime

from django.contrib import admin
from django.contrib.admin.utils import flatten
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from incidents import selectors
from incidents.admin import drafts
from incidents.admin.actions import RecoveryActionInline
from incidents.admin.audience import audience_view
from incidents.admin.exports import export_json, export_markdown
from incidents.admin.forms import component_fieldsets, component_sections
from incidents.admin.incident_forms import (
    EDITABLE_INCIDENT_FIELDS,
    POST,
    DeclareIncidentForm,
    IncidentForm,
    update_action_for,
)
from incidents.admin.quick_actions import quick_actions, requested_prefill
from incidents.admin.service_admin import ServiceModelAdmin, StatusFilter, StrOrPromise
from incidents.admin.update_edits import edit_update_view, may_edit_updates
from incidents.choices import CLOSED_INCIDENT_STATUSES, IncidentKind, IncidentStatus
from incidents.models import Incident

# Marks the fieldsets of the update form: the page shows them before the recovery actions.
UPDATE_FORM_CLASS = "update-form"
LIST_TIME_FORMAT = "Y-m-d H:i"
STATE_FIELDS = (
    ("status", "impact"),
    ("started_at", "monitoring_at", "resolved_at"),
    ("backfilled", "created_by"),
)


class TimelineAdmin(ServiceModelAdmin):
    """Shared by incidents and maintenance: the rows of one kind, never deleted (nothing that
    records an incident may be lost), with the timeline below the change form."""

    kind = ""
    add_title: StrOrPromise = ""
    change_form_template = "admin/incidents/timeline_change_form.html"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(kind=self.kind)

    def has_delete_permission(self, request, obj=None):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        context = {"title": self.add_title, "show_save_and_add_another": False}
        return super().add_view(request, form_url, {**context, **(extra_context or {})})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        context = {"show_save_and_add_another": False, **(extra_context or {})}
        return super().change_view(request, object_id, form_url, context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["timeline"] = selectors.timeline(obj)
            context["can_edit_updates"] = may_edit_updates(request)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        opts = self.model._meta
        edit = self.admin_site.admin_view(self.edit_update_view)
        return [
            path(
                "<path:object_id>/updates/<str:update_id>/edit/",
                edit,
                name=f"{opts.app_label}_{opts.model_name}_edit_update",
            ),
            *super().get_urls(),
        ]

    def edit_update_view(self, request, object_id: str, update_id: str):
        """Correct the text of one of this incident's updates (incidents.admin.update_edits)."""
        return edit_update_view(self, request, object_id, update_id)


class IncidentStatusFilter(StatusFilter):
    status_choices = IncidentStatus.choices


@admin.register(Incident)
class IncidentAdmin(TimelineAdmin):
    """An incident's page puts first what on-call needs while it is open: the quick actions,
    the timeline, the update form (incident_change_form.html); then its recovery actions and
    details. The list keeps to columns that fit beside the filters."""

    kind = IncidentKind.INCIDENT
    add_title = _("Declare an incident")
    form = IncidentForm
    change_form_template = "admin/incidents/incident_change_form.html"
    add_form_template = TimelineAdmin.change_form_template
    list_display = ("name", "status_shown", "impact", "started", "resolved")
    list_filter = ("draft_state", IncidentStatusFilter, "impact", "backfilled")
    search_fields = ("name", "name_ja", "updates__body", "updates__body_ja")
    date_hierarchy = "started_at"
    actions = [export_markdown, export_json]

    @admin.display(description=_("Status"), ordering="status")
    def status_shown(self, incident: Incident) -> str:
        """The status, and whether the public sees the incident (an alert's draft does not)."""
        status = incident.get_status_display()
        if incident.is_public:
            return status
        return f"{status} · {incident.get_draft_state_display()}"

    @admin.display(description=_("Started"), ordering="started_at")
    def started(self, incident: Incident) -> str:
        return short_time(incident.started_at)

    @admin.display(description=_("Resolved"), ordering="resolved_at")
    def resolved(self, incident: Incident) -> str:
        return short_time(incident.resolved_at)

    def response_post_save_add(self, request, obj):
        # Declared, the incident's next step is on its own page (the timeline and the update
        # form), not in the list.
        return HttpResponseRedirect(reverse("admin:incidents_incident_change", args=[obj.pk]))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The form posts to the page's address without a quick action's ?status=, so that
        # once posted the page shows the incident as it is now, not prefilled again.
        return super().change_view(request, object_id, form_url or request.path, extra_context)

    def get_inlines(self, request, obj):
        return [RecoveryActionInline] if obj else []

    def get_queryset(self, request):
        rows = super().get_queryset(request)
        return rows if drafts.may_see_drafts(request.user) else rows.public()

    def get_urls(self):
        preview = self.admin_site.admin_view(audience_view)
        return [
            path("audience/", preview, name="incidents_incident_audience"),
            *drafts.draft_urls(self),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["postmortem"] = selectors.postmortem_for_incident(obj)
            context["can_start_postmortem"] = obj.status in CLOSED_INCIDENT_STATUSES
            context["can_publish"] = obj.is_draft and self.has_change_permission(request, obj)
            context["received_alerts"] = selectors.incident_alerts(obj)
            context.update(self.update_form_context(request, obj, context["adminform"].form))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def update_form_context(self, request, incident: Incident, form) -> dict:
        """What the page shows around its update form: the quick actions and the prefill one
        of them made, or nothing for a member who may not post."""
        action = update_action_for(incident)
        if not action or not self.has_change_permission(request, incident):
            return {"update_action": ""}
        return {
            "update_action": action,
            "quick_actions": quick_actions(incident) if action == POST else [],
            "prefill": form.prefill if not form.is_bound and action == POST else None,
        }

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = DeclareIncidentForm
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            return form
        return type(form.__name__, (form,), {"prefill": requested_prefill(request)})

    def get_readonly_fields(self, request, obj=None):
        return flatten(STATE_FIELDS) if obj else []

    def get_fieldsets(self, request, obj=None):
        """Declaring: one form. An incident's page: the update form first (when the member may
        post and the incident takes updates), then its name and state."""
        if obj is None:
            return self.declare_fieldsets()
        details = [
            (_("Details"), {"fields": EDITABLE_INCIDENT_FIELDS}),
            (_("State"), {"fields": STATE_FIELDS}),
        ]
        action = update_action_for(obj)
        if not action or not self.has_change_permission(request, obj):
            return details
        return self.update_fieldsets(obj, action) + details

    def declare_fieldsets(self) -> list:
        return [
            (None, {"fields": ["template", "name", "name_ja", "status", "body", "body_ja"]}),
            *component_fieldsets(component_sections()),
            (_("Impact and notification"), {"fields": ["impact_override", "notify"]}),
            (_("Backfill a past incident"), {"fields": ["started_at"], "classes": ["collapse"]}),
        ]

    def update_fieldsets(self, incident: Incident, action: str) -> list:
        """The update form: its text, the component statuses (the affected ones open, the
        others folded), then whether to notify — each fieldset marked as part of it."""
        fields = ["update_action", "update_template", "update_status", "update_body"]
        fields.append("update_body_ja")
        if action == POST:
            title = _("Post an update")
            description = _("Write a message to post an update; renaming alone posts nothing.")
            sending = ["notify", "restore_components"]
        else:
            title = _("Reopen the incident")
            description = _("This incident is resolved. Say why it is reopened.")
            sending = ["notify"]
        sections = component_sections(affected=incident.components.all())
        fieldsets = [
            (title, {"fields": fields, "description": description}),
            *component_fieldsets(sections, fold_unaffected=True),
            (None, {"fields": sending}),
        ]
        return [
            (name, {**options, "classes": [*options.get("classes", []), UPDATE_FORM_CLASS]})
            for name, options in fieldsets
        ]


def short_time(moment: datetime | None) -> str:
    """A time as the incident list shows it: 2026-12-06 01:29, in the console's zone — the
    same in every language, and narrow enough for both times to fit beside the filters."""
    if moment is None:
        return "—"
    return date_format(timezone.localtime(moment), LIST_TIME_FORMAT)
