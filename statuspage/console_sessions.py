"""How long a console session lasts: NOROSHI_SESSION_IDLE_SECONDS without a request, or
NOROSHI_SESSION_MAX_SECONDS since its sign-in, whichever ends first. The next request after
that is signed out (the console then asks for the password again, and returns to the page it
was on); a session's cookie never outlives the longer limit (SESSION_COOKIE_AGE).

The idle clock is written to the session at most once a minute, so a busy console does not
rewrite its session row on every request."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from incidents import services

SIGNED_IN_AT = "noroshi_signed_in_at"
SEEN_AT = "noroshi_seen_at"
SEEN_EVERY = 60  # seconds between two writes of the idle clock


@receiver(user_logged_in, dispatch_uid="noroshi-console-session-start")
def start_session(sender, request: HttpRequest | None, user, **kwargs) -> None:
    """A sign-in starts the session's clocks and keeps the language the console speaks to the
    member in (what is written to them alone, e.g. a reminder, is written in it)."""
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = request.session[SEEN_AT] = int(time.time())
    if request is not None and hasattr(request, "LANGUAGE_CODE"):
        services.remember_language(user=user, language=request.LANGUAGE_CODE)


def ended(session, now: float) -> str:
    """Why the session is over ('' while it lasts). A session signed in before these clocks
    existed starts them now."""
    if SIGNED_IN_AT not in session:
        session[SIGNED_IN_AT] = session[SEEN_AT] = int(now)
        return ""
    if now - session[SIGNED_IN_AT] > settings.NOROSHI_SESSION_MAX_SECONDS:
        hours = settings.NOROSHI_SESSION_MAX_SECONDS / 3600
        return _("You were signed out: a session lasts %(hours)g hours.") % {"hours": hours}
    if now - session.get(SEEN_AT, 0) > settings.NOROSHI_SESSION_IDLE_SECONDS:
        hours = settings.NOROSHI_SESSION_IDLE_SECONDS / 3600
        return _("You were signed out after %(hours)g hours without activity.") % {"hours": hours}
    if now - session.get(SEEN_AT, 0) >= SEEN_EVERY:
        session[SEEN_AT] = int(now)
    return ""


def signed_in_user(request: HttpRequest):
    """The signed-in user of a request that brings a session, else None. Only such a request
    is looked at: reading the session of one that has none would add "Vary: Cookie" to every
    public page."""
    user = getattr(request, "user", None)
    if settings.SESSION_COOKIE_NAME in request.COOKIES and user and user.is_authenticated:
        return user
    return None


class ConsoleSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if signed_in_user(request) is not None:
            reason = ended(request.session, time.time())
            if reason:
                logout(request)
                messages.info(request, reason)
        return self.get_response(request)
