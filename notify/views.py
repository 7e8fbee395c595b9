"""The public subscription pages: subscribe, the SMS code, and the subscriber's signed links
(confirm, manage, unsubscribe), in the status page's own look and language.

None of them is cached (each says `no-store`), and none keeps a session: a signed link is the
authority of the pages it opens. The forms that write carry Django's CSRF token (the cookie it
needs is the only one set); confirm and unsubscribe take a POST without it, because RFC 8058's
one-click List-Unsubscribe-Post comes from a mail client with no page and no cookie. A GET never
changes anything (mail scanners fetch links): it shows a page with one button.

The answer to a sign-up never says whether the address was already subscribed, and nothing on
that page gives power over an existing subscription: a webhook's signing secret is shown once,
to whoever opens the verification link sent to the webhook itself.
"""

import functools
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from incidents import selectors
from incidents.models import Incident
from notify import abuse, channels, services
from notify.choices import Channel
from notify.forms import (
    ADDRESS_INPUTS,
    SCOPE_ALL,
    SCOPE_COMPONENTS,
    CodeForm,
    ScopeForm,
    SubscribeForm,
    add_service_error,
)
from notify.models import Subscriber, masked
from notify.signing import PUBLIC_ID_SHAPE, link_path, subscriber_from
from statuspage.public_cache import public_language
from statuspage.views.context import explicit_language, public_context, with_language
from statuspage.views.not_found import not_found

PAGE_METHODS = ["GET", "HEAD", "POST"]


@dataclass(frozen=True)
class ChannelChoice:
    """One way to subscribe, as the page lists it: a link to its form, or why it is off."""

    name: str
    label: str
    url: str
    current: bool
    disabled_reason: str


def respond(request: HttpRequest, template: str, *, status: int = 200, **extra) -> HttpResponse:
    """A page in the public look, in the active language, never stored by any cache."""
    context = public_context(request, selectors.page_settings(), section="", **extra)
    response = render(request, template, context, status=status)
    response["Content-Language"] = context["language"]
    add_never_cache_headers(response)
    return response


def invalid_link(request: HttpRequest) -> HttpResponse:
    return respond(request, "notify/invalid_link.html", status=404)


def token_language(request: HttpRequest, subscriber: Subscriber | None) -> str:
    """A signed link's page speaks the subscriber's language unless ?lang= asks otherwise."""
    if subscriber is None:
        return public_language(request)
    return explicit_language(request) or subscriber.language


def signed_link(action: str):
    """Decorate the view of a signed link of `action`: it is called with the subscriber the
    token names, in that page's language; a forged token, or one of another action, gets the
    404 page instead."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request: HttpRequest, token: str) -> HttpResponse:
            subscriber = subscriber_from(token, action)
            with translation.override(token_language(request, subscriber)):
                if subscriber is None:
                    return invalid_link(request)
                return view(request, subscriber)

        return wrapper

    return decorate


# --- Subscribe ------------------------------------------------------------------------------


def channel_choices(request: HttpRequest, current: str) -> list[ChannelChoice]:
    choices = []
    for name in channels.CHANNELS:
        query = {"channel": name}
        if explicit_language(request):
            query["lang"] = explicit_language(request)
        reason = channels.disabled_reason(name)
        choices.append(
            ChannelChoice(
                name=name,
                label=str(Channel(name).label),
                url=f"{request.path}?{urlencode(query)}",
                current=name == current,
                disabled_reason=_(reason) if reason else "",
            )
        )
    return choices


def shown_channel(asked: str | None) -> str:
    """The channel whose form to show: the one asked for when it is offered, else the first."""
    enabled = channels.enabled_channels()
    if asked in enabled:
        return str(asked)
    return enabled[0] if enabled else ""


def subscribe_form(data=None, *, incident: Incident | None, **initial) -> SubscribeForm:
    return SubscribeForm(
        data,
        initial=initial,
        entries=selectors.components_in_order(),
        incident=incident,
        channels=channels.enabled_channels(),
    )


def form_page(
    request: HttpRequest, form: SubscribeForm, *, status: int = 200, channel: str = ""
) -> HttpResponse:
    channel = shown_channel(channel or form.value_of("channel"))
    choices = channel_choices(request, channel)
    return respond(
        request,
        "notify/subscribe.html",
        status=status,
        form=form,
        incident=form.incident,
        channel=channel,
        channels_on=[choice for choice in choices if not choice.disabled_reason],
        channels_off=[choice for choice in choices if choice.disabled_reason],
        address_input=ADDRESS_INPUTS.get(channel),
        chosen=form.chosen_ids(),
        scope_all=SCOPE_ALL,
        scope_components=SCOPE_COMPONENTS,
    )


def subscribe_posted(request: HttpRequest, incident: Incident | None) -> HttpResponse:
    form = subscribe_form(request.POST, incident=incident)
    if not form.is_valid():
        return form_page(request, form, status=400)
    data, ip = form.cleaned_data, abuse.client_ip(request)
    try:
        with abuse.signup_allowance(ip=ip, channel=data["channel"], address=data["address"]):
            subscriber = services.subscribe(
                channel=data["channel"],
                address=data["address"],
                language=data["language"],
                components=data["chosen"],
                incident=incident,
                ip=ip or None,
            )
    except abuse.SignupLimited as limited:
        form.add_error(limited.field, str(limited.message))
        return refused_page(request, form, status=429, retry_after=limited.retry_after)
    except abuse.LimitsUnavailable as unavailable:
        form.add_error(None, str(unavailable.message))
        return refused_page(request, form, status=503, retry_after=unavailable.retry_after)
    except ValidationError as error:
        add_service_error(form, error)
        return form_page(request, form, status=400)
    return subscribed_page(request, subscriber, incident)


def refused_page(
    request: HttpRequest, form: SubscribeForm, *, status: int, retry_after: int
) -> HttpResponse:
    """The form again, with why it was refused and when to come back."""
    response = form_page(request, form, status=status)
    response["Retry-After"] = str(retry_after)
    return response


def shown_address(subscriber: Subscriber) -> str:
    """The address as the visitor typed it (normalised); a URL's secret part left out."""
    if subscriber.channel in (Channel.EMAIL, Channel.SMS):
        return subscriber.address
    return masked(subscriber.address)


def subscribe_again_url(request: HttpRequest, subscriber: Subscriber) -> str:
    """The form to subscribe this address again on its channel (e.g. for a new SMS code)."""
    if subscriber.incident is not None:
        path = reverse("notify:subscribe_to", args=[subscriber.incident.public_id])
    else:
        path = reverse("notify:subscribe")
    return with_language(f"{path}?{urlencode({'channel': subscriber.channel})}", request)


def subscribed_page(
    request: HttpRequest, subscriber: Subscriber, incident: Incident | None
) -> HttpResponse:
    """What happens next, the same for a new address and one already subscribed."""
    code_form = CodeForm() if subscriber.channel == Channel.SMS else None
    return respond(
        request,
        "notify/subscribed.html",
        subscriber=subscriber,
        shown_address=shown_address(subscriber),
        incident=incident,
        code_form=code_form,
        code_path=link_path(subscriber, "code") if code_form else "",
        again_url=subscribe_again_url(request, subscriber),
    )


def subscribe_page(request: HttpRequest, incident: Incident | None) -> HttpResponse:
    if request.method == "POST":
        return subscribe_posted(request, incident)
    language = translation.get_language()
    initial = {"language": language, "scope": SCOPE_ALL}
    form = subscribe_form(incident=incident, **initial)
    return form_page(request, form, channel=request.GET.get("channel", ""))


@require_http_methods(PAGE_METHODS)
def subscribe(request: HttpRequest) -> HttpResponse:
    with translation.override(public_language(request)):
        return subscribe_page(request, None)


@require_http_methods(PAGE_METHODS)
def subscribe_to_incident(request: HttpRequest, public_id: str) -> HttpResponse:
    with translation.override(public_language(request)):
        try:
            if not PUBLIC_ID_SHAPE.fullmatch(public_id):
                raise Incident.DoesNotExist
            incident = selectors.incident_by_public_id(public_id)
        except Incident.DoesNotExist:
            return not_found(request, selectors.page_settings())
        return subscribe_page(request, incident)


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
        again_url=subscribe_again_url(request, subscriber),
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
    return respond(request, "notify/unsubscribed.html", address=masked(subscriber.address))


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


def manage_page(request, subscriber: Subscriber, form: ScopeForm, *, status: int = 200):
    return respond(
        request,
        "notify/manage.html",
        status=status,
        subscriber=subscriber,
        address=masked(subscriber.address),
        form=form,
        incident=subscriber.incident,
        chosen=form.chosen_ids(),
        followed=subscriber.components.select_related("group"),
        scope_all=SCOPE_ALL,
        scope_components=SCOPE_COMPONENTS,
        saved=request.GET.get("saved") == "1",
        unsubscribe_path=link_path(subscriber, "unsubscribe"),
    )


def manage_posted(request: HttpRequest, subscriber: Subscriber) -> HttpResponse:
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
            # Shown afresh in the language just chosen (a ?lang= of the old page is dropped).
            redirect = HttpResponseRedirect(f"{request.path}?saved=1", status=303)
            add_never_cache_headers(redirect)
            return redirect
    return manage_page(request, subscriber, form, status=400)


@require_http_methods(PAGE_METHODS)
@signed_link("manage")
def manage(request: HttpRequest, subscriber: Subscriber) -> HttpResponse:
    if request.method == "POST":
        return manage_posted(request, subscriber)
    return manage_page(request, subscriber, manage_form(subscriber))
