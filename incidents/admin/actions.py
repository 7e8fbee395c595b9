"""Recovery actions in the console: their own screens (add, change, move through states), an
inline on the incident page, and the dashboard of open and overdue actions across incidents."""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents import selectors, services
from incidents.admin.page import https_url_fields
from incidents.admin.service_admin import ServiceForm, ServiceModelAdmin, ServiceTabularInline
from incidents.choices import FINISHED_ACTION_STATES, ActionState, IncidentKind
from incidents.models import Incident, RecoveryAction
from incidents.services.actions import ACTION_FIELDS

WHAT_FIELDS = ACTION_FIELDS
STATE_FIELDS = ("state", "wont_do_reason")
INLINE_FIELDS = (
    "kind",
    "title",
    "owner",
    "due_on",
    "priority",
    "state",
    "wont_do_reason",
    "public",
)


def page_today():
    """Today in the page's time zone, the zone of due dates."""
    return timezone.now().astimezone(selectors.page_time_zone()).date()


def move_action(action: RecoveryAction, *, to: str, reason: str, user) -> None:
    """Take `action` from its state to `to` through the state services."""
    old = action.state
    if to == old:
        return
    if old in FINISHED_ACTION_STATES:
        services.reopen_recovery_action(action=action, actor=user)
        old = ActionState.OPEN
    if to == ActionState.IN_PROGRESS and old == ActionState.OPEN:
        services.start_recovery_action(action=action, actor=user)
    elif to == ActionState.DONE:
        services.complete_recovery_action(action=action, actor=user)
    elif to == ActionState.WONT_DO:
        services.decline_recovery_action(action=action, reason=reason, actor=user)
    elif to != old:
        raise ValidationError(
            {"state": "An action in progress stays so until it is done or won't be done."}
        )


class RecoveryActionForm(ServiceForm):
    """Add or change a recovery action; a new state goes through the state services (a
    declined action needs its reason)."""

    class Meta:
        model = RecoveryAction
        fields: tuple[str, ...] = ("incident", *WHAT_FIELDS, *STATE_FIELDS)
        formfield_callback = https_url_fields
        widgets: dict[str, forms.Widget] = {
            "wont_do_reason": forms.Textarea(attrs={"rows": 2, "cols": 60})
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "owner" in self.fields:
            owners = get_user_model().objects.filter(is_active=True).order_by("username")
            self.fields["owner"].queryset = owners  # type: ignore[attr-defined]
        if "incident" in self.fields:
            incidents = Incident.objects.filter(kind=IncidentKind.INCIDENT)
            self.fields["incident"].queryset = incidents  # type: ignore[attr-defined]

    def commit(self) -> RecoveryAction:
        data = self.cleaned_data
        what = {f: data[f] for f in WHAT_FIELDS if f in self.fields}
        if self.instance.pk:
            changed = {f: v for f, v in what.items() if f in self.changed_data}
            action = self.instance
            if changed:
                action = services.edit_recovery_action(action=action, actor=self.user, **changed)
        else:
            action = services.create_recovery_action(
                incident=data.get("incident") or self.instance.incident, actor=self.user, **what
            )
        state = data.get("state") or action.state
        move_action(action, to=state, reason=data.get("wont_do_reason", ""), user=self.user)
        return action


class RecoveryActionInlineForm(RecoveryActionForm):
    class Meta(RecoveryActionForm.Meta):
        fields = INLINE_FIELDS
        widgets = {
            "title": forms.TextInput(attrs={"size": 28}),
            "wont_do_reason": forms.Textarea(attrs={"rows": 1, "cols": 16}),
        }


class RecoveryActionInline(ServiceTabularInline):
    """The incident's actions, added and moved on from the incident page."""

    model = RecoveryAction
    form = RecoveryActionInlineForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fields = INLINE_FIELDS
    extra = 1
    can_delete = False
    show_change_link = True
    verbose_name_plural = _("recovery actions")

    class Media:
        js = ("incidents/inline-labels.js",)


class OverdueFilter(admin.SimpleListFilter):
    title = _("due")
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [("overdue", _("Overdue")), ("open", _("Not finished"))]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return queryset.filter(pk__in=selectors.overdue_actions(page_today()).values("pk"))
        if self.value() == "open":
            return queryset.filter(pk__in=selectors.open_actions().values("pk"))
        return queryset


@admin.register(RecoveryAction)
class RecoveryActionAdmin(ServiceModelAdmin):
    form = RecoveryActionForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    change_list_template = "admin/incidents/recoveryaction/change_list.html"
    list_display = (
        "title",
        "incident",
        "kind",
        "owner",
        "due_on",
        "priority",
        "state",
        "public",
        "last_chased_on",
    )
    list_filter = (OverdueFilter, "state", "kind", "priority", "public")
    list_select_related = ("incident", "owner")
    search_fields = ("title", "title_ja", "incident__name")
    readonly_fields = ("completed_at", "last_chased_on", "created_by")

    def get_fieldsets(self, request, obj=None):
        first = WHAT_FIELDS if obj else ("incident", *WHAT_FIELDS)
        fieldsets = [(None, {"fields": first}), (_("State"), {"fields": STATE_FIELDS})]
        if obj:
            fieldsets.append((_("Record"), {"fields": self.readonly_fields}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else ()

    def has_delete_permission(self, request, obj=None):
        return False  # an action is declined (won't do), never deleted

    def get_urls(self):
        dashboard = self.admin_site.admin_view(self.dashboard_view)
        return [
            path("dashboard/", dashboard, name="incidents_recoveryaction_dashboard"),
            *super().get_urls(),
        ]

    def dashboard_view(self, request):
        """Open and overdue actions across incidents: what to chase at the review meeting."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        today = page_today()
        unfinished = list(selectors.open_actions())
        context = {
            **self.admin_site.each_context(request),
            "title": _("Open and overdue recovery actions"),
            "opts": self.model._meta,
            "today": today,
            "overdue": [a for a in unfinished if a.due_on and a.due_on < today],
            "upcoming": [a for a in unfinished if not a.due_on or a.due_on >= today],
        }
        return TemplateResponse(request, "admin/incidents/action_dashboard.html", context)
