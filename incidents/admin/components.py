"""Components and component groups (written through services), and their status history."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from incidents import services
from incidents.admin.service_admin import ReadOnlyModelAdmin, ServiceForm, ServiceModelAdmin
from incidents.models import Component, ComponentGroup, ComponentStatusChange


class ComponentForm(ServiceForm):
    """Add or change a component; a status change enters the history with source "admin"."""

    class Meta:
        model = Component
        fields = (
            "name",
            "name_ja",
            "group",
            "status",
            "position",
            "showcase",
            "only_show_if_degraded",
            "start_date",
            "description",
            "description_ja",
        )

    def commit(self) -> Component:
        values = self.model_field_values()
        if self.instance.pk:
            return services.edit_component(component=self.instance, actor=self.user, **values)
        return services.create_component(actor=self.user, **values)


class ComponentListForm(ComponentForm):
    """A row of the component list: a plain group select, without the related-object links
    that would crowd every row."""

    group = forms.ModelChoiceField(queryset=ComponentGroup.objects.all(), required=False)


class ComponentGroupForm(ServiceForm):
    class Meta:
        model = ComponentGroup
        fields = ("name", "name_ja", "position", "description", "description_ja")

    def commit(self) -> ComponentGroup:
        values = self.model_field_values()
        if self.instance.pk:
            return services.edit_component_group(group=self.instance, actor=self.user, **values)
        return services.create_component_group(actor=self.user, **values)


@admin.register(Component)
class ComponentAdmin(ServiceModelAdmin):
    form = ComponentForm
    list_display = ("name", "group", "status", "position", "showcase", "archived_at")
    list_editable = ("group", "status", "position", "showcase")
    list_filter = (("archived_at", admin.EmptyFieldListFilter), "group", "status")
    actions = ("archive_selected", "restore_selected")
    list_select_related = ("group",)
    search_fields = ("name", "name_ja", "description")
    ordering = ("group__position", "position", "id")

    def get_changelist_form(self, request, **kwargs):
        return super().get_changelist_form(request, form=ComponentListForm, **kwargs)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # archived instead: the history that names a component is kept

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not self.has_change_permission(request):
            actions.pop("archive_selected", None)
            actions.pop("restore_selected", None)
        return actions

    @admin.action(description=_("Archive the selected components (off the page, history kept)"))
    def archive_selected(self, request, queryset):
        self.apply(request, queryset, services.archive_component, _("Archived: %(names)s."))

    @admin.action(description=_("Put the selected archived components back on the page"))
    def restore_selected(self, request, queryset):
        self.apply(request, queryset, services.restore_component, _("Back on the page: %(names)s."))

    def apply(self, request, queryset, service, done: str) -> None:
        names = []
        for component in queryset:
            try:
                service(component=component, actor=request.user)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                names.append(component.name)
        if names:
            self.message_user(request, done % {"names": ", ".join(names)}, messages.SUCCESS)


@admin.register(ComponentGroup)
class ComponentGroupAdmin(ServiceModelAdmin):
    form = ComponentGroupForm
    list_display = ("name", "name_ja", "position")
    search_fields = ("name", "name_ja")

    def delete_model(self, request, obj):
        services.delete_component_group(group=obj, actor=request.user)


@admin.register(ComponentStatusChange)
class ComponentStatusChangeAdmin(ReadOnlyModelAdmin):
    list_display = ("created_at", "component", "old_status", "new_status", "source", "actor")
    list_filter = ("component", "source")
    list_select_related = ("component__group", "actor")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    search_fields = ("component__name",)
