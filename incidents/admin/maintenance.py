"""The scheduled maintenance screens: schedule a window; then rename it, move it forward with
updates (scheduled → in progress → verifying → completed) and read its timeline."""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import flatten
from django.utils.translation import gettext_lazy as _

from incidents import selectors, services
from incidents.admin.forms import (
    DECLARE_FILLS,
    UPDATE_FILLS,
    fill_blanks_from_template,
    message_field,
    message_ja_field,
    notify_field,
    template_field,
)
from incidents.admin.incidents import TimelineAdmin
from incidents.admin.service_admin import ServiceForm, StatusFilter
from incidents.choices import IncidentKind, MaintenanceStatus
from incidents.models import Component, ScheduledMaintenance

WINDOW_FIELDS = (
    ("scheduled_for", "scheduled_until"),
    ("auto_start", "auto_complete"),
    "set_components_under_maintenance",
    "remind_minutes_before",
)
SCHEDULE_FILLS = {key: field for key, field in DECLARE_FILLS.items() if key != "status"}
EDITABLE_MAINTENANCE_FIELDS = ("name", "name_ja")
STATE_FIELDS = ("status", ("started_at", "resolved_at"))


def components_field() -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        queryset=selectors.on_page(Component.objects.all())
        .select_related("group")
        .order_by("group__position", "position", "id"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Components"),
    )


class ScheduleMaintenanceForm(ServiceForm):
    """Schedule a maintenance window with its first update (schedule_maintenance)."""

    template = template_field(IncidentKind.MAINTENANCE, SCHEDULE_FILLS)
    body = message_field()
    body_ja = message_ja_field()
    components = components_field()
    notify = notify_field()

    class Meta:
        model = ScheduledMaintenance
        fields = ("name", "name_ja", *flatten(WINDOW_FIELDS))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False  # a template may give it; the service insists
        for name in ("scheduled_for", "scheduled_until"):
            if name in self.fields:
                self.fields[name].required = True

    def clean(self):
        cleaned_data = super().clean()
        fill_blanks_from_template(cleaned_data, "template", SCHEDULE_FILLS)
        return cleaned_data

    def commit(self) -> ScheduledMaintenance:
        data = self.cleaned_data
        maintenance = services.schedule_maintenance(
            name=data["name"],
            name_ja=data["name_ja"],
            body=data["body"],
            body_ja=data["body_ja"],
            scheduled_for=data["scheduled_for"],
            scheduled_until=data["scheduled_until"],
            components=data["components"],
            auto_start=data["auto_start"],
            auto_complete=data["auto_complete"],
            set_components_under_maintenance=data["set_components_under_maintenance"],
            remind_minutes_before=data["remind_minutes_before"],
            deliver_notifications=data["notify"],
            author=self.user,
        )
        # The service returns the concrete Incident; the admin links to this proxy's pages.
        return ScheduledMaintenance.objects.get(pk=maintenance.pk)


class MaintenanceForm(ServiceForm):
    """Rename a maintenance (edit_incident), change its window (edit_maintenance) and post one
    update (post_maintenance_update)."""

    components = components_field()
    update_template = template_field(IncidentKind.MAINTENANCE, UPDATE_FILLS)
    update_status = forms.ChoiceField(
        label=_("Status"), choices=MaintenanceStatus.choices, required=False
    )
    update_body = message_field()
    update_body_ja = message_ja_field()
    notify = notify_field()

    error_fields = {"status": "update_status", "body": "update_body"}

    class Meta:
        model = ScheduledMaintenance
        fields = (*EDITABLE_MAINTENANCE_FIELDS, *flatten(WINDOW_FIELDS))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["update_status"].initial = self.instance.status
        if self.instance.pk and "components" in self.fields:
            self.fields["components"].initial = list(self.instance.components.all())

    def clean(self):
        cleaned_data = super().clean()
        fill_blanks_from_template(cleaned_data, "update_template", UPDATE_FILLS)
        return cleaned_data

    def commit(self) -> ScheduledMaintenance:
        data = self.cleaned_data
        edits = {f: data[f] for f in EDITABLE_MAINTENANCE_FIELDS if f in self.changed_data}
        if edits:
            services.edit_incident(incident=self.instance, actor=self.user, **edits)
        window = {f: data[f] for f in flatten(WINDOW_FIELDS) if f in self.changed_data}
        if "components" in self.changed_data:
            window["components"] = data["components"]
        if window:
            services.edit_maintenance(maintenance=self.instance, actor=self.user, **window)
        if data.get("update_body") or "update_status" in self.changed_data:
            services.post_maintenance_update(
                maintenance=self.instance,
                status=data["update_status"],
                body=data["update_body"],
                body_ja=data["update_body_ja"],
                deliver_notifications=data["notify"],
                author=self.user,
            )
        return self.instance


class MaintenanceStatusFilter(StatusFilter):
    status_choices = MaintenanceStatus.choices


@admin.register(ScheduledMaintenance)
class ScheduledMaintenanceAdmin(TimelineAdmin):
    kind = IncidentKind.MAINTENANCE
    add_title = _("Schedule a maintenance")
    form = MaintenanceForm
    list_display = ("name", "status", "scheduled_for", "scheduled_until", "auto_start")
    list_filter = (MaintenanceStatusFilter,)
    search_fields = ("name", "name_ja", "updates__body", "updates__body_ja")
    date_hierarchy = "scheduled_for"
    ordering = ("-scheduled_for", "-id")

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ScheduleMaintenanceForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        if obj.status == MaintenanceStatus.COMPLETED:
            return [*flatten(STATE_FIELDS), "components", *flatten(WINDOW_FIELDS)]
        return flatten(STATE_FIELDS)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [
                (None, {"fields": ["template", "name", "name_ja", "body", "body_ja"]}),
                (_("Window"), {"fields": ["components", *WINDOW_FIELDS, "notify"]}),
            ]
        fieldsets = [
            (None, {"fields": EDITABLE_MAINTENANCE_FIELDS}),
            (_("Window"), {"fields": ["components", *WINDOW_FIELDS]}),
            (_("State"), {"fields": STATE_FIELDS}),
        ]
        if obj.status == MaintenanceStatus.COMPLETED or not self.has_change_permission(
            request, obj
        ):
            return fieldsets
        update_fields = ["update_template", "update_status", "update_body", "update_body_ja"]
        description = _(
            "Write a message, or move the status on, to post an update; renaming alone posts "
            "nothing. A maintenance never goes back to an earlier status."
        )
        update = {"fields": [*update_fields, "notify"], "description": description}
        return [*fieldsets, (_("Post an update"), update)]
