"""Page-wide screens: the one settings row, update templates, and the audit log."""

import zoneinfo

from django import forms
from django.contrib import admin
from django.db import models
from django.shortcuts import redirect
from django.urls import reverse

from incidents import services
from incidents.admin.branding import BRANDING_FIELDS, BrandingFormMixin
from incidents.admin.service_admin import ReadOnlyModelAdmin, ServiceForm, ServiceModelAdmin
from incidents.models import AuditEntry, PageSettings, UpdateTemplate

TIME_ZONE_CHOICES = [(zone, zone) for zone in sorted(zoneinfo.available_timezones())]


def https_url_fields(db_field, **kwargs):
    """Form fields for the model's, with addresses typed without a scheme taken as https."""
    if isinstance(db_field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return db_field.formfield(**kwargs)


class PageSettingsForm(BrandingFormMixin, ServiceForm):
    time_zone = forms.ChoiceField(choices=TIME_ZONE_CHOICES, initial="Etc/UTC")

    class Meta:
        model = PageSettings
        fields: tuple[str, ...] = (
            "name", "name_ja", "url", "time_zone", "support_email", "support_url"
        )  # fmt: skip
        fields += BRANDING_FIELDS
        formfield_callback = https_url_fields

    def commit(self) -> PageSettings:
        page = services.edit_page_settings(actor=self.user, **self.page_field_values())
        self.commit_logo()
        return page


class UpdateTemplateForm(ServiceForm):
    class Meta:
        model = UpdateTemplate
        fields = ("name", "kind", "status", "title", "title_ja", "body", "body_ja")

    def commit(self) -> UpdateTemplate:
        return services.save_update_template(
            template=self.instance if self.instance.pk else None,
            actor=self.user,
            **self.model_field_values(),
        )


@admin.register(PageSettings)
class PageSettingsAdmin(ServiceModelAdmin):
    """The single settings row: its list is its change page."""

    form = PageSettingsForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def changelist_view(self, request, extra_context=None):
        if PageSettings.objects.filter(id=1).exists():
            return redirect(reverse("admin:incidents_pagesettings_change", args=[1]))
        if self.has_add_permission(request):
            return redirect(reverse("admin:incidents_pagesettings_add"))
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not PageSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(UpdateTemplate)
class UpdateTemplateAdmin(ServiceModelAdmin):
    form = UpdateTemplateForm
    list_display = ("name", "kind", "status", "title")
    list_filter = ("kind", "status")
    search_fields = ("name", "title", "body")

    def delete_model(self, request, obj):
        services.delete_update_template(template=obj, actor=request.user)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyModelAdmin):
    list_display = ("created_at", "actor_name", "action", "object_type", "object_id", "summary")
    list_filter = ("action", "object_type")
    date_hierarchy = "created_at"
    search_fields = ("object_id", "summary", "actor_name")
