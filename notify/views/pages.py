"""What every subscription page shares: the public look, never cached; the signed-link
decorator and its language; the way back to the form."""

import functools
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers

from incidents import selectors
from incidents.models import Incident
from notify.models import Subscriber
from notify.signing import subscriber_from
from statuspage.languages import explicit_language, public_language, with_language
from statuspage.page_frame import page_response, public_context

PAGE_METHODS = ["GET", "HEAD", "POST"]


def respond(request: HttpRequest, template: str, *, status: int = 200, **extra) -> HttpResponse:
    """A page in the public look, in the active language, never stored by any cache."""
    context = public_context(request, selectors.page_settings(), section="", **extra)
    response = page_response(request, template, context, status=status)
    response["Content-Language"] = context["language"]
    add_never_cache_headers(response)
    return response


def invalid_link(request: HttpRequest) -> HttpResponse:
    return respond(request, "notify/invalid_link.html", status=404)


def token_language(request: HttpRequest, subscriber: Subscriber | None, action: str) -> str:
    """A signed link's page speaks the subscriber's language unless ?lang= asks otherwise. The
    code page, which the answer to any sign-up links to, speaks the visitor's: the language of
    a subscription is not for whoever typed its number."""
    if subscriber is None or action == "code":
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
            with translation.override(token_language(request, subscriber, action)):
                if subscriber is None:
                    return invalid_link(request)
                return view(request, subscriber)

        return wrapper

    return decorate


def subscribe_again_url(request: HttpRequest, channel: str, incident: Incident | None) -> str:
    """The form to subscribe on `channel` again (e.g. for a new SMS code)."""
    if incident is not None:
        path = reverse("notify:subscribe_to", args=[incident.public_id])
    else:
        path = reverse("notify:subscribe")
    return with_language(f"{path}?{urlencode({'channel': channel})}", request)
