"""Correcting a posted update's text from its incident's (or maintenance's) page: a small form,
English and Japanese, saved by services.edit_update_text once (incidents.admin.once). Nobody
is notified again; the original text stays in the audit log."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from incidents import selectors, services
from incidents.admin import once
from incidents.admin.service_admin import ServiceForm
from incidents.models import Incident, IncidentUpdate

# On-call and Owner hold it (migrations 0002 and 0012); a Viewer does not.
EDIT_PERMISSION = "incidents.change_incidentupdate"
EDITED = _(
    "The update's text is corrected on the page, the feeds and the APIs. Nobody was notified "
    "again; the original text is kept in the audit log."
)
UNCHANGED = _("The text is unchanged: nothing was saved.")


class UpdateTextForm(ServiceForm):
    """The corrected texts of one update (edit_update_text); unchanged, nothing is written."""

    class Meta:
        model = IncidentUpdate
        fields = ("body", "body_ja")
        labels = {"body": _("Message"), "body_ja": _("Message (Japanese)")}
        widgets = {
            "body": forms.Textarea(attrs={"rows": 6, "cols": 80}),
            "body_ja": forms.Textarea(attrs={"rows": 4, "cols": 80}),
        }

    def commit(self) -> IncidentUpdate:
        return services.edit_update_text(
            update=self.instance,
            body=self.cleaned_data["body"],
            body_ja=self.cleaned_data["body_ja"],
            actor=self.user,
        )


def form_for(request: HttpRequest) -> type[UpdateTextForm]:
    """The form, its service called as the signed-in member (as ServiceModelAdmin does)."""
    return type(UpdateTextForm.__name__, (UpdateTextForm,), {"user": request.user})


def may_edit_updates(request: HttpRequest) -> bool:
    return request.user.has_perm(EDIT_PERMISSION)


def edit_url(model_admin: admin.ModelAdmin, incident: Incident, update: IncidentUpdate) -> str:
    opts = model_admin.model._meta
    name = f"admin:{opts.app_label}_{opts.model_name}_edit_update"
    return reverse(name, args=[quote(incident.pk), update.public_id])


def change_url(model_admin: admin.ModelAdmin, incident: Incident) -> str:
    opts = model_admin.model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(incident.pk)])


def edit_update_view(
    model_admin: admin.ModelAdmin, request: HttpRequest, object_id: str, update_id: str
) -> HttpResponse:
    """GET: the form, filled with the update's texts. POST: save the correction once, then back
    to the incident's page; with errors, the form again and nothing written."""
    if not (may_edit_updates(request) and model_admin.has_view_permission(request)):
        raise PermissionDenied
    incident, update = incident_and_update(model_admin, request, object_id, update_id)
    if request.method != "POST":
        return form_page(model_admin, request, incident, UpdateTextForm(instance=update))
    with transaction.atomic():
        repeated = once.claim_submission(request)
        if repeated is not None:
            return repeated
        form = form_for(request)(request.POST, instance=update)
        if form.is_valid():
            once.record_submission(request, incident)
        else:
            transaction.set_rollback(True)  # the submission's key stays free for a retry
    if form.errors:  # the page is read once the rollback is done
        return form_page(model_admin, request, incident, form)
    if form.has_changed():
        messages.success(request, EDITED)
    else:
        messages.info(request, UNCHANGED)
    return HttpResponseRedirect(change_url(model_admin, incident))


def incident_and_update(
    model_admin: admin.ModelAdmin, request: HttpRequest, object_id: str, update_id: str
) -> tuple[Incident, IncidentUpdate]:
    """The incident of this screen (an incident, or a maintenance) and one of its updates;
    404 for anything else."""
    incident = model_admin.get_object(request, unquote(object_id))
    if incident is None:
        raise Http404
    try:
        return incident, selectors.update_of_incident(incident, update_id)
    except IncidentUpdate.DoesNotExist:
        raise Http404 from None


def form_page(
    model_admin: admin.ModelAdmin, request: HttpRequest, incident: Incident, form: UpdateTextForm
) -> TemplateResponse:
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Correct an update's text"),
        "opts": model_admin.model._meta,
        "original": incident,
        "update": form.instance,
        "form": form,
        "back_url": change_url(model_admin, incident),
        "submission_field": once.SUBMISSION_FIELD,
        "submission_key": once.submission_key(request),
    }
    return TemplateResponse(request, "admin/incidents/edit_update_text.html", context)
