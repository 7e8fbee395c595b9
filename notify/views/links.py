"""The pages of a subscriber's signed links: the SMS code, confirm, unsubscribe, manage."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from incidents import selectors
from notify import services
from notify.choices import Channel
from notify.forms import SCOPE_ALL, SCOPE_COMPONENTS, CodeForm, ScopeForm, add_service_error
from notify.models import Subscriber, masked
from notify.selectors import followed_components
from notify.signing import link_path
from notify.views.pages import PAGE_METHODS, respond, signed_link, subscribe_again_url

# --- The SMS code -----------------------------------------------------------------------------


@require_http_methods(PAGE_METHODS)
@signed_link("code")
def code(request: HttpRequest, subscriber: Subscriber) -> HttpResponse:
    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            services.confirm_with_code(subscriber=subscriber, code=form.cleaned_data["code"])
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return confirmed_page(request, subscriber, first_time=False)
    return respond(
        request,
        "notify/code.html",
        status=400 if form.is_bound else 200,
        form=form,
        address=masked(subscriber.address),
        again_url=subscribe_again_url(request, Channel.SMS, None),
    )


# --- Confirm and unsubscribe (signed links) ------------------------------------------------


def confirmed_page(request: HttpRequest, subscriber: Subscriber, *, first_time: bool):
    """Confirmed: the way to manage it, and a webhook's signing secret the first time only."""
    secret = subscriber.secret if first_time and subscriber.channel == Channel.WEBHOOK else ""
    return respond(
        request,
        "notify/confirmed.html",
        subscriber=subscriber,
        address=masked(subscriber.address),
        manage_path=link_path(subscriber, "manage"),
        secret=secret,
    )


def action_page(request: HttpRequest, subscriber: Subscriber, action: str) -> HttpResponse:
    return respond(
        request,
        "notify/subscription_action.html",
        action=action,
        subscriber=subscriber,
        address=masked(subscriber.address),
    )


@csrf_exempt
@require_http_methods(PAGE_METHODS)
@signed_link("confirm")
def confirm(request: HttpRequest, subscriber: Subscriber) -> HttpResponse:
    if request.method != "POST":
        return action_page(request, subscriber, "confirm")
    was_confirmed = subscriber.confirmed_at is not None
    subscriber = services.confirm(subscriber=subscriber)
    return confirmed_page(request, subscriber, first_time=not was_confirmed)


@csrf_exempt
@require_http_methods(PAGE_METHODS)
@signed_link("unsubscribe")
def unsubscribe(request: HttpRequest, subscriber: Subscriber) -> HttpResponse:
    if request.method != "POST":
        return action_page(request, subscriber, "unsubscribe")
    subscriber = services.unsubscribe(subscriber=subscriber)
    return respond(
        request,
        "notify/unsubscribed.html",
        address=masked(subscriber.address),
        manage_path=link_path(subscriber, "manage"),
    )


# --- Manage (signed link) --------------------------------------------------------------------


def manage_form(subscriber: Subscriber, data=None) -> ScopeForm:
    chosen = [c.public_id for c in subscriber.components.all()]
    initial = {
        "language": subscriber.language,
        "scope": SCOPE_COMPONENTS if chosen else SCOPE_ALL,
        "components": chosen,
    }
    return ScopeForm(
        data, initial=initial, entries=selectors.components_in_order(), incident=subscriber.incident
    )


def manage_page(
    request, subscriber: Subscriber, form: ScopeForm, status: int = 200, refusal: str = ""
):
    return respond(
        request,
        "notify/manage.html",
        status=status,
        subscriber=subscriber,
        address=masked(subscriber.address),
        form=form,
        incident=subscriber.incident,
        chosen=form.chosen_ids(),
        followed=followed_components(subscriber),
        scope_all=SCOPE_ALL,
        scope_components=SCOPE_COMPONENTS,
        saved=request.GET.get("saved") == "1",
        unsubscribe_path=link_path(subscriber, "unsubscribe"),
        # A number that replied STOP resumes by replying START only (services.resume).
        start_by_sms=subscriber.channel == Channel.SMS and subscriber.unsubscribed_at is not None,
        refusal=refusal,
    )


def saved(request: HttpRequest) -> HttpResponse:
    # Shown afresh in the language just chosen (a ?lang= of the old page is dropped).
    redirect = HttpResponseRedirect(f"{request.path}?saved=1", status=303)
    add_never_cache_headers(redirect)
    return redirect


def manage_posted(request: HttpRequest, subscriber: Subscriber) -> HttpResponse:
    if request.POST.get("action") == "resume":
        try:
            services.resume(subscriber=subscriber)
        except ValidationError as error:
            refusal = " ".join(gettext(message) for message in error.messages)
            return manage_page(request, subscriber, manage_form(subscriber), 400, refusal)
        return saved(request)
    form = manage_form(subscriber, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.update_subscription(
                subscriber=subscriber, components=data["chosen"], language=data["language"]
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return saved(request)
    return manage_page(request, subscriber, form, 400)


@require_http_methods(PAGE_METHODS)
@signed_link("manage")
def manage(request: HttpRequest, subscriber: Subscriber) -> HttpResponse:
    if request.method == "POST":
        return manage_posted(request, subscriber)
    return manage_page(request, subscriber, manage_form(subscriber))
