"""The incident forms: declare an incident with its first update, and, on its page, rename it
and post one update (or reopen it) with the component statuses beside the message. Each is
saved by its service calls (incidents.admin.service_admin.ServiceForm)."""

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from incidents import services
from incidents.admin.audience import audience_counts, preview_html
from incidents.admin.forms import (
    DECLARE_FILLS,
    UPDATE_FILLS,
    ComponentStatusFields,
    backfill_field,
    component_sections,
    fill_blanks_from_template,
    message_field,
    message_ja_field,
    notify_field,
    template_field,
)
from incidents.admin.quick_actions import Prefill
from incidents.admin.service_admin import ServiceForm
from incidents.choices import (
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
    prefill: Prefill | None = None  # set per request by IncidentAdmin from a quick action

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
        if self.prefill is not None and self.action == POST and not self.is_bound:
            self.apply_prefill(self.prefill)
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

    def apply_prefill(self, prefill: Prefill) -> None:
        """Show the form as a quick action fills it (incidents.admin.quick_actions)."""
        self.fields["update_status"].initial = prefill.status
        self.fields["update_body"].initial = prefill.text.body
        self.fields["update_body_ja"].initial = prefill.text.body_ja

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
