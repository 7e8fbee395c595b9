"""Page-wide screens: the one settings row and update templates (the audit log: audit.py)."""

import zoneinfo
from urllib.parse import urlsplit

from django import forms
from django.contrib import admin
from django.db import models
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from incidents import services
from incidents.admin.branding import BRANDING_FIELDS, BrandingFormMixin
from incidents.admin.service_admin import ServiceForm, ServiceModelAdmin
from incidents.models import PageSettings, UpdateTemplate

TIME_ZONE_CHOICES = [(zone, zone) for zone in sorted(zoneinfo.available_timezones())]
SLACK_URL, SLACK_HOST = "team_slack_webhook_url", "team_slack_webhook_host"


def url_host(url: str) -> str:
    """The host of a URL, whose path holds its secret: "hooks.slack.com/…"."""
    return f"{urlsplit(url).hostname or ''}/…"


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
            "name",
            "name_ja",
            "url",
            "time_zone",
            "support_email",
            "support_url",
            "update_reminder_minutes",
            "team_slack_webhook_url",
        )
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
    readonly_fields = ("team_slack_webhook_host",)

    def get_fields(self, request, obj=None):
        """The team's Slack webhook URL is a credential: a member who may only read the
        settings sees its host alone."""
        fields = list(PageSettingsForm.Meta.fields)
        if self.has_change_permission(request, obj):
            return fields
        return [SLACK_HOST if name == SLACK_URL else name for name in fields]

    @admin.display(description=_("team Slack webhook"))
    def team_slack_webhook_host(self, obj: PageSettings) -> str:
        return url_host(obj.team_slack_webhook_url) if obj.team_slack_webhook_url else "—"

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
