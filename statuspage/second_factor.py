"""The console's second factor (django-otp): every staff member enrols an authenticator app
(TOTP) before using the console, and types its code after each password sign-in. Enrolling
gives ten one-time recovery codes, shown once, each of which stands in for the app's code one
time (a lost phone); a verified member can replace them.

A signed-in session without its second factor reaches only these pages and the sign-out: the
console redirects to them, and the management API answers 403 to such a session (a request
that sends an API key is authenticated by the key alone and is not affected). Wrong codes are
throttled by django-otp (each failure doubles the wait before the next try) and logged.
"""

import io
import logging
import secrets
from base64 import b32encode
from typing import cast

from django.conf import settings
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.qr import write_qrcode_image

from incidents.services.audit import record_audit
from statuspage.api_v1.authentication import offered_credentials
from statuspage.console_sessions import signed_in_user

logger = logging.getLogger(__name__)

RECOVERY_CODES = 10
APP_DEVICE = "Authenticator app"
RECOVERY_DEVICE = "Recovery codes"


def verified(user) -> bool:
    """Whether this session's user passed the second factor (django-otp's OTPMiddleware gives
    the request's user `is_verified`)."""
    return bool(getattr(user, "is_verified", lambda: False)())


def next_url(request: HttpRequest) -> str:
    """Where to go once verified: the page the console was asked for, if it is this site's."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(wanted, {request.get_host()}, request.is_secure()):
        return wanted
    return reverse("admin:index")


def with_next(url: str, request: HttpRequest) -> str:
    return f"{url}?{urlencode({'next': request.get_full_path()})}"


HEADINGS = {
    "setup.html": gettext_lazy("Set up your second factor"),
    "verify.html": gettext_lazy("Second factor"),
    "recovery_codes.html": gettext_lazy("Your recovery codes"),
}


def page(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    response = render(
        request,
        f"admin/second_factor/{template}",
        {
            **admin.site.each_context(request),
            "heading": HEADINGS[template],
            "next": next_url(request),
            **context,
        },
        status=status,
    )
    add_never_cache_headers(response)
    return response


def pending_device(user) -> TOTPDevice:
    """The app being enrolled: one per user until confirmed, so reloading the page keeps the
    QR code the phone may already have scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=APP_DEVICE, confirmed=False)


def new_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes with RECOVERY_CODES new ones (returned in clear once;
    django-otp deletes each as it is used)."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE)
    device.token_set.all().delete()
    codes = [f"{secrets.token_hex(2)}-{secrets.token_hex(2)}" for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def grouped(secret: bytes) -> str:
    """The key as typed by hand into an app: base32, in groups of four."""
    text = b32encode(secret).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def staff_only(view):
    def guarded(request: HttpRequest) -> HttpResponse:
        if not (request.user.is_authenticated and request.user.is_staff):
            return redirect(with_next(reverse("admin:login"), request))
        return view(request)

    guarded.__name__ = view.__name__
    guarded.__doc__ = view.__doc__
    return guarded


@require_http_methods(["GET", "POST"])
@staff_only
def setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: scan the code (or type the key), then type what it shows."""
    user = request.user
    if user_has_device(user) and not verified(user):
        return redirect(with_next(reverse("second_factor_verify"), request))
    device = pending_device(user)
    error = ""
    if request.method == "POST":
        if device.verify_token(request.POST.get("code", "").replace(" ", "")):
            with transaction.atomic():
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                codes = new_recovery_codes(user)
                record_audit(actor=user, action="enrol_second_factor", target=device)
            otp_login(request, device)
            return page(request, "recovery_codes.html", {"codes": codes})
        error = _("That code is not right. Check that the phone's clock is set automatically.")
    return page(
        request,
        "setup.html",
        {"key": grouped(device.bin_key), "error": error},
        status=400 if error else 200,
    )


@require_http_methods(["GET"])
@staff_only
def qr_code(request: HttpRequest) -> HttpResponse:
    """The enrolment's QR code (an otpauth:// link), as SVG."""
    if verified(request.user) or user_has_device(request.user):
        return HttpResponse(status=404)
    image = io.BytesIO()
    write_qrcode_image(pending_device(request.user).config_url, image)
    response = HttpResponse(image.getvalue(), content_type="image/svg+xml")
    add_never_cache_headers(response)
    return response


@require_http_methods(["GET", "POST"])
@staff_only
def verify(request: HttpRequest) -> HttpResponse:
    """After the password: the app's code, or one recovery code."""
    user = request.user
    if verified(user):
        return HttpResponseRedirect(next_url(request))
    if not user_has_device(user):
        return redirect(with_next(reverse("second_factor_setup"), request))
    error = ""
    if request.method == "POST":
        device = match_token(user, request.POST.get("code", "").strip().replace(" ", ""))
        if device is not None:
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                record_audit(actor=user, action="use_recovery_code", target=device)
                messages.warning(
                    request,
                    _("You used a recovery code; %(left)d are left.") % {"left": left},
                )
            return HttpResponseRedirect(next_url(request))
        logger.warning("A wrong second-factor code for console user %s", user.pk)
        record_audit(actor=user, action="second_factor_refused", target=cast(Model, user))
        error = _("That code is not right (or came too soon after a wrong one): try again.")
    return page(request, "verify.html", {"error": error}, status=400 if error else 200)


@require_http_methods(["POST"])
@staff_only
def replace_recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes for a verified member (the old ones stop working)."""
    if not verified(request.user):
        return redirect(with_next(reverse("second_factor_verify"), request))
    with transaction.atomic():
        codes = new_recovery_codes(request.user)
        device = StaticDevice.objects.get(user=request.user, name=RECOVERY_DEVICE)
        record_audit(actor=request.user, action="replace_recovery_codes", target=device)
    return page(request, "recovery_codes.html", {"codes": codes})


def open_paths() -> tuple[str, ...]:
    """What a session without its second factor may reach."""
    return (
        reverse("second_factor_setup"),
        reverse("second_factor_verify"),
        reverse("second_factor_qr"),
        reverse("admin:login"),
        reverse("admin:logout"),
        reverse("admin:jsi18n"),
        settings.STATIC_URL,
    )


class SecondFactorMiddleware:
    """Sends a staff session that has not passed its second factor to enrol or verify (the
    console), or refuses it (the API). Runs after django-otp's OTPMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = signed_in_user(request)
        if (
            user is not None
            and user.is_staff
            and not verified(user)
            and not request.path_info.startswith(open_paths())
        ):
            if request.path_info.startswith("/admin/"):
                step = "second_factor_verify" if user_has_device(user) else "second_factor_setup"
                return redirect(with_next(reverse(step), request))
            # A request that sends an API key is the key's, not the session's (never both:
            # statuspage.api_v1.authentication does not fall back to the session).
            if request.path_info.startswith("/api/") and not offered_credentials(request):
                detail = _("This session has not passed its second factor: sign in again.")
                return JsonResponse({"detail": detail}, status=403)
        return self.get_response(request)
