"""An alert's draft in the console: the Publish and Discard buttons of its incident page, and
who is shown drafts at all (the roles that may act on them, as in the management API)."""

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from incidents import services
from incidents.admin import once
from incidents.admin.service_admin import object_to_change

DRAFTS_PERMISSION = "incidents.change_incident"
# Each step: its service, what to say when it happened, what to say when it had already.
STEPS = {
    "publish": (
        services.publish_draft,
        _("Published: the public sees it, and its subscribers are being told."),
        _("It was public already: nothing was announced again."),
    ),
    "discard": (
        services.discard_draft,
        _("Discarded: it is kept here, and never public."),
        _("It was discarded already."),
    ),
}


def may_see_drafts(user) -> bool:
    return user.has_perm(DRAFTS_PERMISSION)


def draft_urls(model_admin) -> list:
    """The incident admin's <id>/publish/ and <id>/discard/ (POST only)."""
    return [
        path(
            f"<path:object_id>/{step}/",
            model_admin.admin_site.admin_view(require_POST(partial(take_step, model_admin, step))),
            name=f"incidents_incident_{step}",
        )
        for step in STEPS
    ]


def take_step(model_admin, step: str, request: HttpRequest, object_id: str) -> HttpResponse:
    """Publish or discard the draft, then back to its page saying what became of it (a second
    click changes nothing and says so)."""
    incident = object_to_change(model_admin, request, object_id)
    service, done, again = STEPS[step]
    try:
        with once.queue_notice(request):
            changed = service(incident=incident, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.add_message(
            request, messages.SUCCESS if changed else messages.INFO, done if changed else again
        )
    return redirect(reverse("admin:incidents_incident_change", args=[incident.pk]))
