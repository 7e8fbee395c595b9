"""The management API's keys in the console (Owner): made here, their secret shown once on the
page that answers the form; listed with their last use; revoked, never edited or deleted."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from incidents import services
from incidents.admin.service_admin import ServiceForm, ServiceModelAdmin
from incidents.models import ApiKey

# Where save_model leaves the new key's secret for response_add, on the request alone.
SECRET_ATTRIBUTE = "_noroshi_new_api_key_secret"
SHOWN_FIELDS = (
    "user",
    "name",
    "prefix",
    "created_at",
    "created_by",
    "expires_at",
    "revoked_at",
    "last_used_at",
    "last_used_from",
)


class ApiKeyForm(ServiceForm):
    """A new key: whom it acts as, what uses it, until when."""

    secret = ""

    class Meta:
        model = ApiKey
        fields = ("user", "name", "expires_at")

    def commit(self) -> ApiKey:
        api_key, self.secret = services.create_api_key(actor=self.user, **self.model_field_values())
        return api_key


@admin.register(ApiKey)
class ApiKeyAdmin(ServiceModelAdmin):
    form = ApiKeyForm
    list_display = (
        "prefix_shown",
        "name",
        "user",
        "state",
        "created_at",
        "expires_at",
        "last_used_at",
        "last_used_from",
        "revoked_at",
    )
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    list_select_related = ("user",)
    search_fields = ("prefix", "name", "user__username")
    ordering = ("-created_at", "-id")
    actions = ("revoke_selected",)

    def get_fields(self, request, obj=None):
        return SHOWN_FIELDS if obj is not None else ApiKeyForm.Meta.fields

    def get_readonly_fields(self, request, obj=None):
        return SHOWN_FIELDS if obj is not None else ()

    def has_change_permission(self, request, obj=None) -> bool:
        # A key's page only shows it; revoking (the list's action) is its one change.
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # revoked instead: its uses stay explained

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            users = get_user_model()._default_manager.filter(is_active=True)
            kwargs["queryset"] = users.order_by(get_user_model().USERNAME_FIELD)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("key"), ordering="prefix")
    def prefix_shown(self, api_key: ApiKey) -> str:
        return f"{api_key.prefix}…"

    @admin.display(description=_("state"))
    def state(self, api_key: ApiKey) -> str:
        if api_key.revoked_at is not None:
            return str(_("revoked"))
        if api_key.is_expired():
            return str(_("expired"))
        if not api_key.user.is_active:
            return str(_("user deactivated"))
        return str(_("active"))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        setattr(request, SECRET_ATTRIBUTE, form.secret)

    def response_add(self, request, obj, post_url_continue=None):
        """The secret, this once, on the page that answers the form (never in a message or a
        cookie; the console's pages are never cached)."""
        secret = getattr(request, SECRET_ATTRIBUTE, "")
        if not secret:
            return super().response_add(request, obj, post_url_continue)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Your new API key"),
            "api_key": obj,
            "secret": secret,
        }
        return TemplateResponse(request, "admin/incidents/apikey/created.html", context)

    @admin.action(description=_("Revoke the selected API keys"), permissions=["change"])
    def revoke_selected(self, request, queryset):
        revoked = []
        for api_key in queryset.select_related("user"):
            try:
                services.revoke_api_key(api_key=api_key, actor=request.user)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                revoked.append(f"{api_key.prefix}… ({api_key.name})")
        if revoked:
            done = _("Revoked: %(keys)s. Requests bearing them are refused from now on.")
            self.message_user(request, done % {"keys": ", ".join(revoked)}, messages.SUCCESS)
