"""The incident screens: declare in one step; then, on one page, rename, post updates (or
reopen) with the component statuses beside the message, read the timeline and correct a posted
update's text (incidents.admin.update_edits)."""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import flatten
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from incidents import selectors, services
from incidents.admin import drafts
from incidents.admin.actions import RecoveryActionInline
from incidents.admin.audience import audience_counts, audience_view, preview_html
from incidents.admin.exports import export_json, export_markdown
from incidents.admin.forms import (
    DECLARE_FILLS,
    UPDATE_FILLS,
    ComponentStatusFields,
    backfill_field,
    component_fieldsets,
    component_sections,
    fill_blanks_from_template,
    message_field,
    message_ja_field,
    notify_field,
    template_field,
)
from incidents.admin.service_admin import (
    ServiceForm,
    ServiceModelAdmin,
    StatusFilter,
    StrOrPromise,
)
from incidents.admin.update_edits import edit_update_view, may_edit_updates
from incidents.choices import (
    CLOSED_INCIDENT_STATUSES,
    UNRESOLVED_INCIDENT_STATUSES,
    DraftState,
    IncidentKind,
    IncidentStatus,
)
from incidents.models import Incident
from incidents.services.incidents import POSTABLE_STATUSES

POST, REOPEN = "post", "reopen"
POSTABLE_CHOICES = [(status.value, status.label) for status in POSTABLE_STATUSES]
REOPEN_CHOICES = [(status.value, status.label) for status in UNRESOLVED_INCIDENT_STATUSES]
EDITABLE_INCIDENT_FIELDS = ("name", "name_ja", "impact_override")
STATE_FIELDS = (
    ("status", "impact"),
    ("started_at", "monitoring_at", "resolved_at"),
    ("backfilled", "created_by"),
)


def update_action_for(incident: Incident) -> str:
    """What the update form does to this incident: post an update, reopen it, or nothing."""
    if incident.draft_state == DraftState.DISCARDED:
        return ""  # a discarded draft is kept as it is
    if incident.status in UNRESOLVED_INCIDENT_STATUSES:
        return POST
    if incident.status == IncidentStatus.RESOLVED:
        return REOPEN
    return ""  # a published post-mortem closes the timeline


class DeclareIncidentForm(ComponentStatusFields, ServiceForm):
    """Declare an incident with its first update and component statuses (declare_incident)."""

    template = template_field(IncidentKind.INCIDENT, DECLARE_FILLS)
    status = forms.ChoiceField(
        label=_("Status"), choices=POSTABLE_CHOICES, initial=IncidentStatus.INVESTIGATING
    )
    body = message_field()
    body_ja = message_ja_field()
    notify = notify_field()
    started_at = backfill_field()

    error_fields = {"display_at": "started_at"}

    class Meta:
        model = Incident
        fields = EDITABLE_INCIDENT_FIELDS

    class Media:
        js = ("incidents/audience.js",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False  # a template may give it; the service insists
        self.add_component_fields(component_sections())
        counts = audience_counts([], incident=None, declaring=True, status="")
        self.fields["notify"].help_text = preview_html(
            counts, url=reverse("admin:incidents_incident_audience"), declaring=True, incident=None
        )

    def clean(self):
        cleaned_data = super().clean()
        fill_blanks_from_template(cleaned_data, "template", DECLARE_FILLS)
        return cleaned_data

    def commit(self) -> Incident:
        data = self.cleaned_data
        return services.declare_incident(
            name=data["name"],
            name_ja=data["name_ja"],
            status=data["status"],
            body=data["body"],
            body_ja=data["body_ja"],
            component_statuses=self.changed_component_statuses(),
            impact_override=data["impact_override"],
            deliver_notifications=data["notify"],
            author=self.user,
            started_at=data["started_at"],
            backfilled=data["started_at"] is not None,
        )


class IncidentForm(ComponentStatusFields, ServiceForm):
    """Rename an incident or override its impact (edit_incident), and post one update
    (post_update) or, once resolved, reopen it (reopen_incident)."""

    update_action = forms.ChoiceField(
        choices=[(POST, POST), (REOPEN, REOPEN)], required=False, widget=forms.HiddenInput
    )
    update_template = template_field(IncidentKind.INCIDENT, UPDATE_FILLS)
    update_status = forms.ChoiceField(label=_("Status"), choices=POSTABLE_CHOICES, required=False)
    update_body = message_field()
    update_body_ja = message_ja_field()
    notify = notify_field()
    restore_components = forms.BooleanField(
        label=_("Return affected components to operational"),
        required=False,
        initial=True,
        help_text=_(
            "When resolving: the affected components this update leaves as they are go back to "
            "operational, unless another open incident still holds them."
        ),
    )

    error_fields = {"status": "update_status", "body": "update_body"}

    class Meta:
        model = Incident
        fields = EDITABLE_INCIDENT_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["update_action"].initial = update_action_for(self.instance)
        self.action = self.requested_action()
        if self.action == REOPEN:
            self.fields["update_status"].choices = REOPEN_CHOICES
            self.fields["update_status"].initial = IncidentStatus.INVESTIGATING
        else:
            self.fields["update_status"].initial = self.instance.status
        self.add_component_fields(component_sections(affected=self.instance.components.all()))
        counts = audience_counts(
            self.instance.components.all(),
            incident=self.instance,
            declaring=False,
            status=self.fields["update_status"].initial,
        )
        self.fields["notify"].help_text = preview_html(
            counts,
            url=reverse("admin:incidents_incident_audience"),
            declaring=False,
            incident=self.instance,
        )

    class Media:
        js = ("incidents/audience.js",)

    def requested_action(self) -> str:
        """The action the page was showing when it was submitted (the incident may have moved
        on since: the service then says why the update can't be posted)."""
        submitted = self.data.get(self.add_prefix("update_action")) if self.is_bound else None
        return submitted if submitted in (POST, REOPEN) else self.fields["update_action"].initial

    def clean(self):
        cleaned_data = super().clean()
        fill_blanks_from_template(cleaned_data, "update_template", UPDATE_FILLS)
        return cleaned_data

    def wants_update(self) -> bool:
        return bool(
            self.cleaned_data.get("update_body")
            or "update_status" in self.changed_data
            or self.changed_component_statuses()
        )

    def commit(self) -> Incident:
        data = self.cleaned_data
        edits = {f: data[f] for f in EDITABLE_INCIDENT_FIELDS if f in self.changed_data}
        if edits:
            services.edit_incident(incident=self.instance, actor=self.user, **edits)
        if self.wants_update():
            self.post_update()
        return self.instance

    def post_update(self) -> None:
        data = self.cleaned_data
        update = {
            "status": data["update_status"],
            "body": data["update_body"],
            "body_ja": data["update_body_ja"],
            "component_statuses": self.changed_component_statuses(),
            "deliver_notifications": data["notify"],
            "author": self.user,
        }
        if self.action == REOPEN:
            services.reopen_incident(incident=self.instance, **update)
        else:
            restore = data["restore_components"]
            services.post_update(incident=self.instance, restore_components=restore, **update)


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
    kind = IncidentKind.INCIDENT
    add_title = _("Declare an incident")
    form = IncidentForm
    list_display = ("name", "status", "impact", "draft_state", "started_at", "resolved_at")
    list_filter = ("draft_state", IncidentStatusFilter, "impact", "backfilled")
    search_fields = ("name", "name_ja", "updates__body", "updates__body_ja")
    date_hierarchy = "started_at"
    actions = [export_markdown, export_json]

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
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = DeclareIncidentForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return flatten(STATE_FIELDS) if obj else []

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.declare_fieldsets()
        fieldsets = [
            (None, {"fields": EDITABLE_INCIDENT_FIELDS}),
            (_("State"), {"fields": STATE_FIELDS}),
        ]
        action = update_action_for(obj)
        if not action or not self.has_change_permission(request, obj):
            return fieldsets
        return fieldsets + self.update_fieldsets(obj, action)

    def declare_fieldsets(self) -> list:
        return [
            (None, {"fields": ["template", "name", "name_ja", "status", "body", "body_ja"]}),
            *component_fieldsets(component_sections()),
            (_("Impact and notification"), {"fields": ["impact_override", "notify"]}),
            (_("Backfill a past incident"), {"fields": ["started_at"], "classes": ["collapse"]}),
        ]

    def update_fieldsets(self, incident: Incident, action: str) -> list:
        fields = ["update_action", "update_template", "update_status", "update_body"]
        fields += ["update_body_ja", "notify"]
        if action == POST:
            title = _("Post an update")
            description = _("Write a message to post an update; renaming alone posts nothing.")
            fields.append("restore_components")
        else:
            title = _("Reopen the incident")
            description = _("This incident is resolved. Say why it is reopened.")
        sections = component_sections(affected=incident.components.all())
        update = (title, {"fields": fields, "description": description})
        return [update, *component_fieldsets(sections)]
