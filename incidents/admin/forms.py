"""Form parts shared by the incident and maintenance screens: the update template picker, the
message fields, and one status select per component, grouped as on the page."""

import json
from collections.abc import Iterable
from dataclasses import dataclass

from django import forms
from django.contrib.admin.widgets import AdminSplitDateTime
from django.utils.translation import gettext_lazy as _

from incidents import selectors
from incidents.admin.service_admin import StrOrPromise
from incidents.choices import ComponentStatus
from incidents.models import Component, UpdateTemplate

# The template attributes the picker copies, and the form fields they go to.
DECLARE_FILLS = {
    "title": "name",
    "title_ja": "name_ja",
    "status": "status",
    "body": "body",
    "body_ja": "body_ja",
}
UPDATE_FILLS = {
    "status": "update_status",
    "body": "update_body",
    "body_ja": "update_body_ja",
}

COMPONENT_FIELD_PREFIX = "component_"
NOT_AFFECTED_HINT = _("Leave “not affected” for the components this update does not touch.")
TEMPLATE_ATTRIBUTES = ("status", "title", "title_ja", "body", "body_ja")


class TemplatePicker(forms.Select):
    """A select of update templates that, with JavaScript, copies the picked one into the form.

    The templates travel as JSON in a script element beside the select; `fills` maps each
    template attribute to the name of the form field it fills.
    """

    template_name = "admin/incidents/widgets/template_picker.html"

    class Media:
        js = ("incidents/update_template_picker.js",)

    def __init__(self, fills: dict[str, str], attrs=None):
        super().__init__(attrs)
        self.fills = fills

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        widget["templates_id"] = f"{widget['attrs'].get('id', name)}_templates"
        widget["attrs"]["data-fill"] = json.dumps(self.fills)
        widget["attrs"]["data-templates"] = widget["templates_id"]
        widget["templates"] = [
            {"id": template.pk} | {key: getattr(template, key) for key in TEMPLATE_ATTRIBUTES}
            for template in self.choices.queryset
        ]
        return context


def template_field(kind: str, fills: dict[str, str]) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=UpdateTemplate.objects.filter(kind=kind),
        required=False,
        label=_("Template"),
        empty_label=_("— none —"),
        widget=TemplatePicker(fills),
        help_text=_(
            "Copies the template's wording into this form. Without JavaScript, the empty fields "
            "are filled from it when you save."
        ),
    )


def fill_blanks_from_template(cleaned_data: dict, template_field_name: str, fills: dict) -> None:
    """Copy the picked template's text into the fields left empty (the no-JavaScript path)."""
    template = cleaned_data.get(template_field_name)
    if template is None:
        return
    for attribute, field in fills.items():
        if attribute != "status" and not cleaned_data.get(field):
            cleaned_data[field] = getattr(template, attribute)


def message_field() -> forms.CharField:
    # Not required here: a template may give the message, and the service insists on one.
    return forms.CharField(
        label=_("Message"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
        help_text=_("Markdown."),
    )


def message_ja_field() -> forms.CharField:
    return forms.CharField(
        label=_("Message (Japanese)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
    )


def notify_field() -> forms.BooleanField:
    return forms.BooleanField(
        label=_("Notify subscribers"),
        required=False,
        initial=True,
        help_text=_("Send this update to the subscribers of the affected components."),
    )


def backfill_field() -> forms.SplitDateTimeField:
    return forms.SplitDateTimeField(
        label=_("Started at"),
        required=False,
        widget=AdminSplitDateTime,
        help_text=_(
            "Only to record a past incident: it is marked as backfilled, its component "
            "statuses enter the history at this time (current statuses stay as they are) and "
            "no one is notified."
        ),
    )


@dataclass(frozen=True)
class ComponentSection:
    """Components shown together: the incident's affected ones, or one group's."""

    title: StrOrPromise
    components: list[Component]
    affected: bool = False


def component_sections(affected: Iterable[Component] = ()) -> list[ComponentSection]:
    """Every component in page order: the `affected` ones first, then the others by group."""
    affected_ids = {component.pk for component in affected}
    entries = selectors.components_in_order()
    sections = []
    if affected_ids:
        affected_now = [c for e in entries for c in e.components if c.pk in affected_ids]
        sections.append(ComponentSection(_("Affected components"), affected_now, affected=True))
    loose = []
    for entry in entries:
        others = [c for c in entry.components if c.pk not in affected_ids]
        if entry.group is None:
            loose += others
        elif others:
            title = _("Components: %(group)s") % {"group": entry.group.name}
            sections.append(ComponentSection(title, others))
    if loose:
        sections.append(ComponentSection(_("Other components"), loose))
    return sections


def component_field_name(component: Component) -> str:
    return f"{COMPONENT_FIELD_PREFIX}{component.pk}"


def component_fieldsets(
    sections: list[ComponentSection], *, fold_unaffected: bool = False
) -> list[tuple]:
    """Admin fieldsets for the sections; the first unaffected one says how to leave them out.

    With `fold_unaffected`, when some components are affected, the other sections start
    folded (a <details> that works without JavaScript), so that an update of a known incident
    is not a long scroll past every component of the page.
    """
    first_unaffected = next((s for s in sections if not s.affected), None)
    fold = fold_unaffected and any(s.affected for s in sections)
    fieldsets = []
    for section in sections:
        options: dict[str, object] = {
            "fields": [component_field_name(c) for c in section.components]
        }
        if section is first_unaffected:
            options["description"] = NOT_AFFECTED_HINT
        if fold and not section.affected:
            options["classes"] = ["collapse"]
        fieldsets.append((section.title, options))
    return fieldsets


def component_status_field(component: Component, *, affected: bool) -> forms.ChoiceField:
    now = _("Now: %(status)s") % {"status": ComponentStatus(component.status).label}
    if affected:
        # The hidden initial keeps the status this form showed, so that a component another
        # update changed meanwhile is not set back by an untouched select.
        return forms.ChoiceField(
            label=component.name,
            choices=ComponentStatus.choices,
            initial=component.status,
            required=False,
            show_hidden_initial=True,
            help_text=now,
        )
    return forms.ChoiceField(
        label=component.name,
        choices=[("", _("— not affected —")), *ComponentStatus.choices],
        required=False,
        help_text=now,
    )


class ComponentStatusFields:
    """For a form: one status select per component; the changed ones go to the service.

    A mixin for django.forms.Form subclasses (it uses their fields and cleaned/changed data).
    """

    fields: dict
    cleaned_data: dict
    changed_data: list[str]

    def add_component_fields(self, sections: list[ComponentSection]) -> None:
        self.component_fields = {}
        for section in sections:
            for component in section.components:
                name = component_field_name(component)
                self.fields[name] = component_status_field(component, affected=section.affected)
                self.component_fields[name] = component

    def changed_component_statuses(self) -> dict[Component, str]:
        return {
            component: self.cleaned_data[name]
            for name, component in self.component_fields.items()
            if name in self.changed_data and self.cleaned_data.get(name)
        }
