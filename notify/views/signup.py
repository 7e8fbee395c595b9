"""The sign-up pages: the form (to the page, or to one incident), and its answer — the same
for an address that is new and one that has a subscription already (notify.services.subscribe
changes nothing of an existing one; notify.confirmations tells the address)."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import translation
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
    SubscribeForm,
    add_service_error,
)
from notify.models import Subscriber, masked
from notify.signing import PUBLIC_ID_SHAPE, link_path
from notify.views.feed_panes import PANE_LABELS, feed_addresses
from notify.views.pages import PAGE_METHODS, respond, subscribe_again_url
from statuspage.languages import explicit_language, public_language, with_language
from statuspage.page_frame import page_not_found


@dataclass(frozen=True)
class ChannelChoice:
    """One way to subscribe, as the page lists it: a link to its form. A channel that is off
    is not listed (the console's subscriber list says why: visitors see no configuration)."""

    name: str
    label: str
    url: str
    current: bool


def channel_choices(request: HttpRequest, current: str, *, panes: bool) -> list[ChannelChoice]:
    """The enabled channels, then (with `panes`) the feeds and the calendar."""
    labels = {name: Channel(name).label for name in channels.enabled_channels()}
    if panes:
        labels.update(PANE_LABELS)
    choices = []
    for name, label in labels.items():
        query = {"channel": name}
        if explicit_language(request):
            query["lang"] = explicit_language(request)
        choices.append(
            ChannelChoice(
                name=name,
                label=str(label),
                url=f"{request.path}?{urlencode(query)}",
                current=name == current,
            )
        )
    return choices


def shown_channel(asked: str | None, *, panes: bool) -> str:
    """The channel (or, with `panes`, the feed pane) to show: the one asked for when it is
    offered, else the first."""
    offered = channels.enabled_channels() + (list(PANE_LABELS) if panes else [])
    if asked in offered:
        return str(asked)
    return offered[0] if offered else ""


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
    # The feeds and the calendar follow the whole page: not offered for one incident.
    panes = form.incident is None
    channel = shown_channel(channel or form.value_of("channel"), panes=panes)
    return respond(
        request,
        "notify/subscribe.html",
        status=status,
        form=form,
        incident=form.incident,
        channel=channel,
        channels_on=channel_choices(request, channel, panes=panes),
        feeds=feed_addresses(request) if channel in PANE_LABELS else None,
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
    return subscribed_page(request, form, subscriber)


def refused_page(
    request: HttpRequest, form: SubscribeForm, *, status: int, retry_after: int
) -> HttpResponse:
    """The form again, with why it was refused and when to come back."""
    response = form_page(request, form, status=status)
    response["Retry-After"] = str(retry_after)
    return response


def shown_address(channel: str, address: str) -> str:
    """The address as the visitor typed it (normalised); a URL's secret part left out."""
    if channel in (Channel.EMAIL, Channel.SMS):
        return address
    return masked(address)


def subscribed_page(request: HttpRequest, form: SubscribeForm, subscriber: Subscriber):
    """What happens next. Made of what the visitor sent, never of the subscription the address
    may have had (its scope, language or state): the very same page for a new address and a
    known one. Only an SMS code's form names the subscriber, by a token as random either way."""
    channel, address = form.cleaned_data["channel"], form.cleaned_data["address"]
    code_form = CodeForm() if channel == Channel.SMS else None
    code_path = with_language(link_path(subscriber, "code"), request) if code_form else ""
    return respond(
        request,
        "notify/subscribed.html",
        channel=channel,
        shown_address=shown_address(channel, address),
        incident=form.incident,
        code_form=code_form,
        code_path=code_path,
        again_url=subscribe_again_url(request, channel, form.incident),
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
            return page_not_found(request, selectors.page_settings())
        return subscribe_page(request, incident)
