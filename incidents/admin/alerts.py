"""Alert integrations in the console: an owner (a superuser) makes one and is shown its address
once, maps labels to components and says what a firing alert does; On-call may look. An
integration is disabled, never deleted: its alerts and drafts keep their history."""

from django import forms
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from incidents import services
from incidents.admin.service_admin import (
    ServiceForm,
    ServiceModelAdmin,
    ServiceTabularInline,
    object_to_change,
)
from incidents.choices import ComponentStatus, IntegrationKind
from incidents.models import AlertIntegration, AlertRule, Component

TOKEN_TEMPLATE = "admin/incidents/alertintegration/token.html"
# Where the add view leaves the token for response_add (it exists nowhere else).
NEW_TOKEN_ATTRIBUTE = "_noroshi_alert_token"
WEBHOOK_URL_NAMES = {
    IntegrationKind.ALERTMANAGER: "api_v1:alertmanager_webhook",
    IntegrationKind.GENERIC: "api_v1:generic_webhook",
}
FIRING_STATUS_CHOICES = [
    ("", _("— change no component —")),
    *[(s.value, s.label) for s in ComponentStatus if s != ComponentStatus.OPERATIONAL],
]


def webhook_address(request: HttpRequest, integration: AlertIntegration, token: str) -> str:
    url = reverse(WEBHOOK_URL_NAMES[IntegrationKind(integration.kind)], kwargs={"token": token})
    return request.build_absolute_uri(url)


class AlertIntegrationForm(ServiceForm):
    """Create an integration (its token made by the service) or change it."""

    component_status = forms.ChoiceField(
        label=_("Status of firing components"),
        choices=FIRING_STATUS_CHOICES,
        required=False,
        help_text=AlertIntegration._meta.get_field("component_status").help_text,
    )
    token = ""  # set when the service made one

    class Meta:
        model = AlertIntegration
        fields = ("name", "kind", "component_status", "auto_publish_minutes", "enabled")

    def commit(self) -> AlertIntegration:
        values = self.model_field_values()
        if self.instance.pk:
            return services.edit_alert_integration(
                integration=self.instance, actor=self.user, **values
            )
        made = services.create_alert_integration(actor=self.user, **values)
        self.token = made.token
        return made.integration


class AlertRuleForm(ServiceForm):
    """One label rule: added, changed or removed by its service."""

    class Meta:
        model = AlertRule
        fields = ("label", "value", "component")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "component" in self.fields:
            on_page = Component.objects.filter(archived_at__isnull=True).select_related("group")
            self.fields["component"].queryset = on_page  # type: ignore[attr-defined]

    def commit(self) -> AlertRule:
        data = self.cleaned_data
        if data.get("DELETE"):
            if self.instance.pk:
                services.delete_alert_rule(rule=self.instance, actor=self.user)
            return self.instance
        return services.save_alert_rule(
            integration=self.instance.integration,
            label=data["label"],
            value=data["value"],
            component=data["component"],
            rule=self.instance if self.instance.pk else None,
            actor=self.user,
        )


class AlertRuleInline(ServiceTabularInline):
    model = AlertRule
    form = AlertRuleForm
    fields = ("label", "value", "component")
    extra = 1
    verbose_name_plural = _("label rules: an alert with this label value concerns the component")


@admin.register(AlertIntegration)
class AlertIntegrationAdmin(ServiceModelAdmin):
    form = AlertIntegrationForm
    change_form_template = "admin/incidents/alertintegration/change_form.html"
    inlines = [AlertRuleInline]
    list_display = ("name", "kind", "component_status", "auto_publish_minutes", "enabled")
    list_filter = ("kind", "enabled")
    readonly_fields = ("address", "created_by", "created_at")

    def get_fieldsets(self, request, obj=None):
        fields = ["name", "kind", "component_status", "auto_publish_minutes", "enabled"]
        if obj is None:
            return [(None, {"fields": fields})]
        return [(None, {"fields": fields}), (_("Address"), {"fields": self.readonly_fields})]

    def get_inlines(self, request, obj):
        return self.inlines if obj else []  # the rules come once the integration exists

    def has_delete_permission(self, request, obj=None):
        return False  # disabled instead: its alerts and drafts keep their history

    @admin.display(description=_("address"))
    def address(self, obj: AlertIntegration) -> str:
        url = reverse(WEBHOOK_URL_NAMES[IntegrationKind(obj.kind)], kwargs={"token": "TOKEN"})
        return url.replace("TOKEN", f"{obj.token_prefix}…") + str(
            _(" (the rest of the token was shown once; replace it to see a new one)")
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        setattr(request, NEW_TOKEN_ATTRIBUTE, getattr(form, "token", ""))

    def response_add(self, request, obj, post_url_continue=None):
        token = getattr(request, NEW_TOKEN_ATTRIBUTE, "")
        if token:
            return self.token_page(request, obj, token)
        return super().response_add(request, obj, post_url_continue)

    def get_urls(self):
        replace = self.admin_site.admin_view(self.replace_token_view)
        return [
            path("<path:object_id>/token/", replace, name="incidents_alertintegration_token"),
            *super().get_urls(),
        ]

    @method_decorator(require_POST)
    def replace_token_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Give the integration a new token and show its address, once."""
        integration = object_to_change(self, request, object_id)
        made = services.replace_alert_token(integration=integration, actor=request.user)
        return self.token_page(request, made.integration, made.token)

    def token_page(self, request, integration: AlertIntegration, token: str) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": _("The address of “%(name)s”") % {"name": integration.name},
            "opts": self.model._meta,
            "original": integration,
            "address": webhook_address(request, integration, token),
            "alertmanager": integration.kind == IntegrationKind.ALERTMANAGER,
        }
        # An admin view: never cached (no-store), as the token must not be.
        return TemplateResponse(request, TOKEN_TEMPLATE, context)
