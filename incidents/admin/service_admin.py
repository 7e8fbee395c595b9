"""The admin's write path: forms whose saving is one service call, and the ModelAdmin that uses
them without ever saving a model itself, and inlines of such forms; the row a console step acts
on; plus the read-only admin and a status filter."""

from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from incidents.admin import once

StrOrPromise = str | Promise


class ServiceForm(forms.ModelForm):
    """A model form saved by one service call, made as the last step of its validation.

    The call replaces ModelForm's model validation (the service validates, then writes): a
    ValidationError it raises becomes form errors, and as the call runs in one transaction,
    nothing is written then. On success `instance` is the row the service wrote. Subclasses
    implement `commit()`; `error_fields` maps the service's error keys to this form's fields.
    """

    user = None  # set per request by ServiceModelAdmin
    error_fields: dict[str, str] = {}

    def commit(self) -> models.Model:
        """Call the service with `cleaned_data`; return the row it wrote."""
        raise NotImplementedError

    def _post_clean(self):
        if self.errors or (self.instance.pk and not self.has_changed()):
            return
        try:
            with transaction.atomic():
                self.instance = self.commit()
        except ValidationError as error:
            self.add_service_error(error)

    def add_service_error(self, error: ValidationError) -> None:
        """Show the service's errors beside the fields they name, the rest above the form."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for key, errors in error.error_dict.items():
            field = self.error_fields.get(key, key)
            self.add_error(field if field in self.fields else None, errors)

    def model_field_values(self) -> dict:
        """The cleaned values of the model fields this form edits."""
        fields = self._meta.fields or ()
        return {name: self.cleaned_data[name] for name in fields if name in self.fields}

    def save(self, commit=True):
        """The service saved the row while the form validated: nothing is left to write."""
        return self.instance


class ServiceModelAdmin(admin.ModelAdmin):
    """A ModelAdmin whose writes all go through services.

    Adding and changing: its ServiceForm calls the service while validating (see there), so
    save_model and save_related have nothing left to do; inline forms that are ServiceForms
    write their rows the same way, and a page sent back with errors writes nothing. A change
    form is submitted once (incidents.admin.once: its template, service_change_form.html or
    one extending it, renders the one-time key), and says so when the notifications of what
    it saved could not be queued.
    Deleting: subclasses that allow it override delete_model with the service call; a bulk
    delete runs it per row, all or nothing.
    """

    form = ServiceForm
    change_form_template = "admin/incidents/service_change_form.html"

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = kwargs.get("form", self.form)
        if "fields" not in kwargs:
            kwargs["fields"] = flatten_fieldsets(self.get_fieldsets(request, obj))
        if kwargs["fields"]:
            # Fields the form makes in __init__ (one per component) are unknown to the factory.
            known = {f.name for f in self.model._meta.get_fields()} | set(form.declared_fields)
            kwargs["fields"] = [name for name in kwargs["fields"] if name in known]
        form_class = super().get_form(request, obj, change=change, **kwargs)
        return type(form_class.__name__, (form_class,), {"user": request.user})

    def get_changelist_form(self, request, **kwargs):
        kwargs.setdefault("form", self.form)
        form_class = super().get_changelist_form(request, **kwargs)
        return type(form_class.__name__, (form_class,), {"user": request.user})

    def changelist_view(self, request, extra_context=None):
        # Each row of a list_editable formset is saved by its service while the formset
        # validates; when a later row is rejected, the rows before it must not stay written.
        with once.queue_notice(request), transaction.atomic():
            response = super().changelist_view(request, extra_context)
            changelist = (getattr(response, "context_data", None) or {}).get("cl")
            formset = getattr(changelist, "formset", None)
            rejected = formset is not None and formset.is_bound and not formset.is_valid()
            if request.method == "POST" and rejected:
                transaction.set_rollback(True)
        return response

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # The form's service runs while the form validates, before the inlines validate: when
        # an inline row is rejected and the page comes back with errors, what the form (or an
        # earlier row) wrote must not stay written — nor the claim of its submission key.
        with once.queue_notice(request), transaction.atomic():
            repeated = once.claim_submission(request)
            if repeated is not None:
                return repeated
            response = super().changeform_view(request, object_id, form_url, extra_context)
            context = getattr(response, "context_data", None) or {}
            if request.method == "POST" and context.get("errors"):
                transaction.set_rollback(True)
        return response

    def save_form(self, request, form, change):
        return form.instance

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context.update(
            submission_field=once.SUBMISSION_FIELD, submission_key=once.submission_key(request)
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        """The form's service call has saved the row already: record that the submission's
        key made it."""
        once.record_submission(request, obj)

    def save_related(self, request, form, formsets, change):
        """The services have written the related rows too; record which inline rows they
        added, changed and removed, as formset.save() would, for the change message."""
        for formset in formsets:
            deleted = [f for f in formset.initial_forms if f in formset.deleted_forms]
            kept = [f for f in formset.forms if f not in formset.deleted_forms]
            changed = [f for f in kept if f.has_changed()]
            formset.deleted_objects = [f.instance for f in deleted]
            formset.new_objects = [f.instance for f in changed if f not in formset.initial_forms]
            formset.changed_objects = [
                (f.instance, f.changed_data) for f in changed if f in formset.initial_forms
            ]

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)


class ServiceTabularInline(admin.TabularInline):
    """An inline whose rows are ServiceForms: each form is told the member who saves it."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = type(formset.form.__name__, (formset.form,), {"user": request.user})
        return formset


def object_to_change(model_admin: admin.ModelAdmin, request, object_id: str) -> Any:
    """The row a console step (a button that POSTs) acts on: 404 when the member may not see
    it, 403 when they may not change it."""
    obj = model_admin.get_object(request, object_id)
    if obj is None:
        raise Http404
    if not model_admin.has_change_permission(request, obj):
        raise PermissionDenied
    return obj


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """An admin for rows only the services write (history, audit): view them, nothing more."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class StatusFilter(admin.SimpleListFilter):
    """Filter by `status` among the given choices (the model field allows more than a screen
    shows: incidents and maintenance share it)."""

    title = _("status")
    parameter_name = "status"
    status_choices: Sequence[tuple[str, StrOrPromise]] = ()

    def lookups(self, request, model_admin):
        return self.status_choices

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value()) if self.value() else queryset
