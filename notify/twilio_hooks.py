"""What Twilio calls back: message status callbacks and inbound SMS (STOP, START, YES).

Both are authenticated by X-Twilio-Signature alone (an HMAC of the URL Twilio called and the
form fields, keyed by our auth token), so CSRF does not apply; anything unsigned or signed
otherwise gets 403 and changes nothing. Twilio signs the public URL it called, which behind a
proxy (deploy/nginx) is not the one gunicorn sees: the URL is rebuilt from SITE_URL first, and
from the request (Host, and X-Forwarded-Proto when TRUST_X_FORWARDED_PROTO is on) second.
"""

import re
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from incidents import audit_context, selectors
from notify import services
from notify.channels.sms import signed_by_twilio, twiml_reply
from notify.selectors import sms_language

STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"}
START_WORDS = {"START", "UNSTOP"}
YES_WORDS = {"YES", "Y"}
# A sender as Twilio writes it: an E.164 number, a short code or an alphanumeric sender id.
# Anything else (a NUL, which PostgreSQL refuses in text) is nobody of ours.
SENDER_SHAPE = re.compile(r"\+?[0-9A-Za-z]{1,20}")


def called_by_twilio(request: HttpRequest) -> bool:
    urls = (settings.SITE_URL + request.get_full_path(), request.build_absolute_uri())
    signature = request.headers.get("X-Twilio-Signature", "")
    return signed_by_twilio(urls, request.POST, signature)


def twilio_webhook(view):
    """POST only, CSRF-exempt, and 403 unless Twilio signed it."""

    @csrf_exempt
    @require_POST
    @wraps(view)
    def checked(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not called_by_twilio(request):
            return HttpResponseForbidden("Invalid X-Twilio-Signature.")
        audit_context.narrow_source(audit_context.TWILIO)
        return view(request, *args, **kwargs)

    return checked


@twilio_webhook
def message_status(request: HttpRequest, key: str) -> HttpResponse:
    """Twilio's status callback of one message; `key` names its delivery."""
    services.record_sms_status(
        delivery_key=key,
        message_sid=request.POST.get("MessageSid", ""),
        status=request.POST.get("MessageStatus", ""),
        error_code=request.POST.get("ErrorCode", ""),
    )
    return HttpResponse(status=204)


@twilio_webhook
def inbound_message(request: HttpRequest) -> HttpResponse:
    """An SMS sent to our number: STOP, START or YES act and are answered; anything else gets
    no answer (an auto-responder at the other end must not start a loop)."""
    number = request.POST.get("From", "").strip()
    words = request.POST.get("Body", "").strip().upper().split()
    keyword = words[0].strip(".!") if len(words) == 1 and SENDER_SHAPE.fullmatch(number) else ""
    reply = None
    if keyword in STOP_WORDS:
        services.unsubscribe_phone(number=number, source="sms STOP")
        reply = "stopped"
    elif keyword in START_WORDS:
        reply = "resumed" if services.resubscribe_phone(number=number) else "nothing_to_resume"
    elif keyword in YES_WORDS:
        reply = "confirmed" if services.confirm_phone(number=number) else "nothing_to_confirm"
    return twiml(reply_text(reply, number) if reply else "")


def reply_text(reply: str, number: str) -> str:
    language = sms_language(number)
    page = selectors.localized(selectors.page_settings(), "name", language)
    with translation.override(language):
        texts = {
            "stopped": _(
                "You will get no more %(page)s status updates. Reply START to resubscribe."
            ),
            "resumed": _("You will get %(page)s status updates again. Reply STOP to stop."),
            "nothing_to_resume": _(
                "This number has no confirmed subscription to %(page)s status updates to "
                "resume. Subscribe on the status page."
            ),
            "confirmed": _("You are subscribed to %(page)s status updates. Reply STOP to stop."),
            "nothing_to_confirm": _(
                "No subscription to %(page)s status updates is waiting for confirmation at "
                "this number."
            ),
        }
        return texts[reply] % {"page": page}


def twiml(text: str) -> HttpResponse:
    return HttpResponse(twiml_reply(text), content_type="application/xml; charset=utf-8")
