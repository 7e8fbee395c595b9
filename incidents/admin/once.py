"""Console writes that happen once, and say what became of their notifications.

Each service form carries a one-time key (admin/incidents/service_change_form.html renders
it); the write claims it in its own transaction (incidents.services.claim_idempotency_key). A
form sent again with the same key — a double click, a retry after a timeout or an error page,
back and resubmit — writes nothing: it goes to what the first submission made, with a message
saying so. And when a write's notifications could not be handed to the queue (the broker is
down or hung), the engineer is told they are kept and will follow: the write itself is saved.
"""

import hashlib
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib import messages
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from incidents import deferral, selectors, services
from incidents.models import IdempotencyKey

SUBMISSION_FIELD = "_submission_key"
CLAIM_ATTRIBUTE = "_noroshi_submission_claim"

QUEUE_UNREACHABLE = _(
    "Saved. The notification queue could not be reached: the notifications are kept and will "
    "be sent when it is reachable again. Nothing needs to be posted twice."
)
ALREADY_POSTED = _(
    "This form had already been submitted: nothing was posted again. This is what it posted."
)
ALREADY_POSTED_OTHER = _(
    "This form had already been submitted, with other content: nothing was posted again. "
    "This is what it posted; post anything new from this page."
)


def submission_key(request: HttpRequest) -> str:
    """The key to render in a form: the posted one when the form comes back with errors (that
    submission wrote nothing, so its key is still free), else a new one."""
    posted = request.POST.get(SUBMISSION_FIELD, "") if request.method == "POST" else ""
    return posted or secrets.token_urlsafe(24)


def owner(request: HttpRequest) -> str:
    return f"user:{request.user.pk}"


def fingerprint(request: HttpRequest) -> str:
    """A digest of the form's address and content (the CSRF token aside, which changes)."""
    ignored = {SUBMISSION_FIELD, "csrfmiddlewaretoken"}
    posted = request.POST.lists()
    fields = sorted((k, v) for k, values in posted if k not in ignored for v in values)
    content = repr((request.path, fields)).encode()
    return hashlib.sha256(content).hexdigest()


def claim_submission(request: HttpRequest) -> HttpResponse | None:
    """Claim the posted form's key in the open transaction: None to go on and write, or the
    answer to a form that was submitted before (see already_posted)."""
    key = request.POST.get(SUBMISSION_FIELD, "")[:255] if request.method == "POST" else ""
    if not key:
        return None
    digest = fingerprint(request)
    claim = services.claim_idempotency_key(owner=owner(request), key=key, fingerprint=digest)
    if claim is not None:
        setattr(request, CLAIM_ATTRIBUTE, claim)
        return None
    return already_posted(request, selectors.idempotency_key(owner=owner(request), key=key), digest)


def record_submission(request: HttpRequest, result: models.Model) -> None:
    """Record what the claimed submission made, in its transaction."""
    claim = getattr(request, CLAIM_ATTRIBUTE, None)
    if claim is not None:
        services.record_idempotent_result(claim, result=result)


def already_posted(
    request: HttpRequest, claim: IdempotencyKey | None, digest: str
) -> HttpResponseRedirect:
    """Send a repeated submission to what the first one made, saying nothing was written."""
    same = claim is not None and claim.fingerprint == digest
    if same:
        messages.info(request, ALREADY_POSTED)
    else:
        messages.warning(request, ALREADY_POSTED_OTHER)
    return HttpResponseRedirect(result_url(claim) or request.get_full_path())


def result_url(claim: IdempotencyKey | None) -> str:
    """The console page of what a claimed submission made ("" when unknown)."""
    if claim is None or not claim.result_type:
        return ""
    app_label, model_name = claim.result_type.split(".")
    try:
        return reverse(f"admin:{app_label}_{model_name}_change", args=[claim.result_id])
    except NoReverseMatch:
        return ""


@contextmanager
def queue_notice(request: HttpRequest) -> Iterator[None]:
    """Tell the engineer, once the block's writes have committed, when their notifications
    could not be handed to the queue (they are kept, and follow when it is back)."""
    with deferral.watch() as outcome:
        yield
    if outcome.queue_unreachable:
        messages.warning(request, QUEUE_UNREACHABLE)
