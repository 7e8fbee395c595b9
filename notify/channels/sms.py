"""SMS through Twilio: numbers in E.164, a 6-digit code for consent, two segments at most.

The only module that imports twilio. Twilio's message creation is not idempotent: a request
that went out and got no answer (a read timeout, a connection cut mid-reply) may have been
sent, so it is UnknownOutcome, never retried; only a refusal or a connection that never opened
is retried. Each message names its delivery in its status-callback URL, so Twilio's callbacks
(notify/twilio_hooks.py) settle even a delivery whose create answer was lost.
"""

import html
import logging
from datetime import timedelta

import phonenumbers
import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client
from urllib3.exceptions import ConnectTimeoutError

from incidents import selectors
from incidents.rendering import render_markdown
from notify import ratelimit, services
from notify.channels.base import (
    Channel,
    DeliveryError,
    Envelope,
    PermanentError,
    RetryableError,
    UnknownOutcome,
)
from notify.choices import Channel as ChannelName
from notify.messages import headline
from notify.models import Notification
from notify.signing import absolute

TWILIO_API = "https://api.twilio.com"
TEMPLATE = "notify/sms/announcement.txt"
# throttle(): a token at most this far away is waited for; a later one postpones the delivery.
MAX_SLEEP = 1.0

# Two segments: 2 × 153 GSM-7 septets, or 2 × 67 UCS-2 code units (any non-GSM character,
# e.g. Japanese, switches the whole message to UCS-2).
GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = set("^{}\\[~]|€\f")  # two septets each
LIMIT = {"gsm": 306, "ucs2": 134}
ELLIPSIS = {"gsm": "...", "ucs2": "…"}  # "…" is not GSM-7: it would make the text UCS-2

# Landlines, premium and service numbers cannot take SMS (and premium ones invite SMS pumping).
NOT_FOR_SMS = {
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.TOLL_FREE,
    phonenumbers.PhoneNumberType.PREMIUM_RATE,
    phonenumbers.PhoneNumberType.SHARED_COST,
    phonenumbers.PhoneNumberType.PAGER,
    phonenumbers.PhoneNumberType.UAN,
    phonenumbers.PhoneNumberType.VOICEMAIL,
}
# Failures before the request left this machine: nothing was sent.
NEVER_SENT = (
    requests.exceptions.ConnectTimeout,
    requests.exceptions.SSLError,
    requests.exceptions.ProxyError,
    requests.exceptions.InvalidURL,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidSchema,
)


def setting(name: str, default=""):
    return getattr(settings, name, default)


def validity_seconds() -> int:
    return int(setting("NOROSHI_SMS_VALIDITY_SECONDS", 600))


def sender() -> dict[str, str]:
    """The `from` of every message: the Messaging Service when one is set, else the number."""
    service = setting("TWILIO_MESSAGING_SERVICE_SID")
    return (
        {"messaging_service_sid": service} if service else {"from_": setting("TWILIO_FROM_NUMBER")}
    )


def allowed_country_codes() -> set[int] | None:
    """The country calling codes numbers may have (None: any)."""
    value = str(setting("NOROSHI_SMS_COUNTRY_CODES", "1,44,81")).strip()
    if value == "*":
        return None
    return {int(code) for code in value.replace("+", "").split(",") if code.strip().isdigit()}


# The SDK logs eight INFO lines per request; only its warnings are worth a worker's log.
http_log = logging.getLogger("notify.channels.sms.http")
http_log.setLevel(logging.WARNING)


class NoroshiTwilioHttp(TwilioHttpClient):
    """Twilio's HTTP client with a timeout on every request (the SDK's default is none), sent
    to NOROSHI_TWILIO_API_URL instead of api.twilio.com when that is set (tests)."""

    def __init__(self, *, timeout: float, api_url: str = ""):
        super().__init__(timeout=timeout, logger=http_log)
        self.api_url = api_url.rstrip("/")

    def request(self, method, url, *args, timeout=None, **kwargs):
        if self.api_url and url.startswith(TWILIO_API):
            url = self.api_url + url[len(TWILIO_API) :]
        return super().request(method, url, *args, timeout=timeout or self.timeout, **kwargs)


def refused(error: TwilioRestException | TwilioServiceException) -> DeliveryError:
    """Twilio answered with an error: the message was not created."""
    detail = (
        getattr(error, "msg", "") or getattr(error, "detail", "") or getattr(error, "title", "")
    )
    text = f"Twilio error {error.code} (HTTP {error.status}): {detail}"
    if error.status == 429 or error.status >= 500:
        return RetryableError(text)
    if error.status in (401, 403):
        # Our credentials or account, not this subscriber: retried, never held against them.
        return RetryableError(text)
    # 21211 not a valid number, 21610 the number replied STOP, 21614 not a mobile, …
    return PermanentError(text)


def cut_off(error: requests.RequestException) -> DeliveryError:
    """The HTTP exchange failed: retryable only if the request never went out."""
    reason = getattr(error.args[0], "reason", None) if error.args else None
    if isinstance(error, NEVER_SENT) or isinstance(reason, ConnectTimeoutError):
        # ConnectTimeoutError covers connection refused and DNS failures (NewConnectionError).
        return RetryableError(f"could not reach Twilio: {error}")
    return UnknownOutcome(f"no answer from Twilio after the message was sent: {error}")


class SmsChannel(Channel):
    name = "sms"
    reports_outcome_later = True  # Twilio's status callbacks (notify.twilio_hooks)

    def __init__(self) -> None:
        self.twilio: Client | None = None
        self.limiter: ratelimit.LocalTokenBucket | ratelimit.RedisTokenBucket | None = None

    @classmethod
    def disabled_reason(cls) -> str:
        missing = [
            name for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN") if not setting(name)
        ]
        if not (setting("TWILIO_FROM_NUMBER") or setting("TWILIO_MESSAGING_SERVICE_SID")):
            missing.append("TWILIO_FROM_NUMBER")
        if not missing:
            return ""
        names = missing[0]
        if len(missing) > 1:
            names = _("%(names)s and %(last)s") % {
                "names": ", ".join(missing[:-1]),
                "last": missing[-1],
            }
        return _("SMS is off: set %(names)s.") % {"names": names}

    @classmethod
    def normalise(cls, address: str) -> str:
        raw = (address or "").strip()
        number = parsed_number(raw)
        allowed = allowed_country_codes()
        if allowed is not None and number.country_code not in allowed:
            codes = ", ".join(f"+{code}" for code in sorted(allowed))
            raise invalid(
                _("SMS can only go to the country codes %(codes)s; “%(number)s” has +%(code)s.")
                % {"codes": codes, "number": raw[:40], "code": number.country_code}
            )
        if phonenumbers.number_type(number) in NOT_FOR_SMS:
            raise invalid(
                _("“%(number)s” is a landline or service number: SMS needs a mobile number.")
                % {"number": raw[:40]}
            )
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    # --- Consent --------------------------------------------------------------------------

    def send_confirmation(self, subscriber) -> bool:
        code = services.issue_confirmation_code(subscriber=subscriber)
        page = selectors.page_settings()
        with translation.override(subscriber.language):
            body = _(
                "[%(page)s] Your code is %(code)s. Reply YES to confirm, or enter the code on "
                "the page."
            ) % {"page": selectors.localized(page, "name", subscriber.language), "code": code}
        self.create_message(to=subscriber.address, body=body)
        return True

    def send_notice(self, subscriber, state: str) -> bool:
        """A subscribed number gets a code that opens its manage page (the form's answer asks
        for one, as for a new number); one that stopped or is suspended gets nothing — a STOP
        holds until START, and texts cost money — but holds a decoy code, so that the code page
        answers as for any other sign-up."""
        if state != "confirmed":
            services.issue_confirmation_code(subscriber=subscriber, decoy=True)
            return False
        code = services.issue_confirmation_code(subscriber=subscriber)
        page = selectors.page_settings()
        with translation.override(subscriber.language):
            body = _(
                "[%(page)s] This number is subscribed already; nothing has changed. Your code "
                "is %(code)s: enter it on the page to manage the subscription."
            ) % {"page": selectors.localized(page, "name", subscriber.language), "code": code}
        self.create_message(to=subscriber.address, body=body)
        return True

    # --- Announcements --------------------------------------------------------------------

    def render(self, notification, language: str) -> str:
        return fitted(announcement_context(notification, language))

    def throttle(self, address: str = "") -> float:
        """Pace the sender: every recipient shares its rate, so `address` plays no part."""
        rate = float(setting("NOROSHI_SMS_PER_SECOND", 1))
        if rate <= 0:
            return 0.0
        if self.limiter is None:
            key = "sms:" + "".join(sender().values())
            self.limiter = ratelimit.bucket(key, rate=rate)
        return ratelimit.pace(self.limiter, max_sleep=MAX_SLEEP)

    def stale_reason(self, delivery) -> str:
        notification = delivery.notification
        validity = validity_seconds()
        if notification.created_at < timezone.now() - timedelta(seconds=validity):
            return f"older than the SMS validity period ({validity} s)"
        if notification.incident_id is None:
            return ""
        # One query per message, not per batch: a resolution posted while a batch of
        # "investigating" messages is still going out must stop the rest of them.
        newer = Notification.objects.filter(
            incident_id=notification.incident_id, pk__gt=notification.pk
        ).values_list("channels", flat=True)
        if any(ChannelName.SMS in channels for channels in newer):
            return "overtaken by a newer SMS about the same incident"
        return ""

    def close(self) -> None:
        if self.twilio is not None:
            session = getattr(self.twilio.http_client, "session", None)
            if session is not None:
                session.close()
            self.twilio = None

    def send(self, message, envelope: Envelope) -> str:
        callback = absolute(reverse("notify:twilio_status", args=[envelope.idempotency_key]))
        return self.create_message(to=envelope.address, body=message, status_callback=callback)

    # --- The one provider call ------------------------------------------------------------

    def client(self) -> Client:
        if self.twilio is None:
            http = NoroshiTwilioHttp(
                timeout=float(setting("NOROSHI_TWILIO_TIMEOUT", 10)),
                api_url=setting("NOROSHI_TWILIO_API_URL"),
            )
            self.twilio = Client(
                setting("TWILIO_ACCOUNT_SID"), setting("TWILIO_AUTH_TOKEN"), http_client=http
            )
        return self.twilio

    def create_message(self, *, to: str, body: str, status_callback: str = "") -> str:
        """Hand one message to Twilio; its SID. Raises PermanentError, RetryableError or
        UnknownOutcome."""
        params = {"to": to, "body": body, "validity_period": validity_seconds(), **sender()}
        if status_callback:
            params["status_callback"] = status_callback
        try:
            return self.client().messages.create(**params).sid or ""
        except (TwilioRestException, TwilioServiceException) as error:
            raise refused(error) from error
        except requests.RequestException as error:
            raise cut_off(error) from error
        except ValueError as error:  # a 2xx whose body is not JSON: it was created
            raise UnknownOutcome(f"Twilio's answer could not be read: {error}") from error


def invalid(message: str) -> ValidationError:
    return ValidationError({"address": message}, code="invalid")


def parsed_number(raw: str) -> phonenumbers.PhoneNumber:
    """The number written in `raw` (international form), or ValidationError."""
    if not raw:
        raise invalid(_("Enter a mobile phone number, starting with + and the country code."))
    try:
        number = phonenumbers.parse(raw, None)
    except phonenumbers.NumberParseException as error:
        raise invalid(
            _(
                "“%(number)s” is not a phone number: write it with + and the country code, "
                "e.g. +81 90 1234 5678."
            )
            % {"number": raw[:40]}
        ) from error
    if not phonenumbers.is_valid_number(number):
        raise invalid(
            _("“%(number)s” is not a phone number in use: check its digits and country code.")
            % {"number": raw[:40]}
        )
    return number


# --- Rendering: one plain text of at most two segments, the link always whole ----------------


def announcement_context(notification, language: str) -> dict[str, str]:
    incident = notification.incident
    if incident is None:
        raise ValueError(f"SMS announces incidents, not {notification.kind}")
    page = selectors.page_settings()
    update = notification.update
    body = selectors.localized(update, "body", language) if update is not None else ""
    with translation.override(language):
        return {
            "page_name": selectors.localized(page, "name", language),
            "headline": headline(notification, language),
            "body": plain_text(body),
            "incident_url": f"{page.url.rstrip('/')}/incidents/{incident.public_id}",
        }


def plain_text(markdown: str) -> str:
    """An update body as one line of text: Markdown rendered and sanitised, tags dropped."""
    return " ".join(html.unescape(strip_tags(render_markdown(markdown))).split())


def encoding(text: str) -> str:
    return "gsm" if all(c in GSM_BASIC or c in GSM_EXTENDED for c in text) else "ucs2"


def units(text: str, charset: str) -> int:
    """The length of `text` as a phone counts it (septets, or UTF-16 code units)."""
    if charset == "gsm":
        return sum(2 if c in GSM_EXTENDED else 1 for c in text)
    return sum(2 if ord(c) > 0xFFFF else 1 for c in text)


def shortened(text: str, allowed: int, charset: str) -> str:
    """`text` cut to at most `allowed` units, ending in an ellipsis ('' when none fit); a cut
    inside a word goes back to the word's start when that loses little."""
    room = allowed - units(ELLIPSIS[charset], charset)
    count, used = 0, 0
    for character in text:
        used += units(character, charset)
        if used > room:
            break
        count += 1
    kept = text[:count]
    if count < len(text) and not text[count].isspace() and " " in kept[-20:]:
        kept = kept[: kept.rindex(" ")]
    return kept.rstrip() + ELLIPSIS[charset] if kept.strip() else ""


def fitted(context: dict[str, str]) -> str:
    """The rendered SMS, within two segments: the body is shortened first, then the headline;
    the page name and the link are never cut."""
    text = render_to_string(TEMPLATE, context).strip()
    charset = encoding(text)
    for field in ("body", "headline"):
        over = units(text, charset) - LIMIT[charset]
        if over <= 0:
            break
        context[field] = shortened(context[field], units(context[field], charset) - over, charset)
        text = render_to_string(TEMPLATE, context).strip()
    return text
