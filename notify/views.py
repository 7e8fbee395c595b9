"""The subscriber's signed links: confirm and unsubscribe.

A GET never changes anything (mail scanners fetch links): it shows a page with one button.
The POST acts. Unsubscribing by POST works without a page or a cookie, as RFC 8058's one-click
List-Unsubscribe-Post requires; the signed token is the authority, so CSRF does not apply.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from notify import services
from notify.signing import subscriber_from

ACTIONS = {
    "confirm": (services.confirm, "Confirm your subscription", "Subscription confirmed."),
    "unsubscribe": (services.unsubscribe, "Unsubscribe", "You are unsubscribed."),
}


def subscription_action(request: HttpRequest, token: str, action: str) -> HttpResponse:
    subscriber = subscriber_from(token, action)
    if subscriber is None:
        invalid = {"title": _("This link is not valid"), "done": None}
        return render(request, "notify/subscription_action.html", invalid, status=404)
    service, title, done = ACTIONS[action]
    if request.method == "POST":
        service(subscriber=subscriber)
        return render(request, "notify/subscription_action.html", {"title": _(done), "done": True})
    context = {"title": _(title), "done": False, "button": _(title), "address": subscriber}
    return render(request, "notify/subscription_action.html", context)


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    return subscription_action(request, token, "confirm")


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    return subscription_action(request, token, "unsubscribe")
