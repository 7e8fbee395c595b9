"""SMS through Twilio: a rendered text (notify.messages.sms) to a number in E.164.

The only module that imports twilio: the sending, and the two ends of Twilio's webhooks
(checking their signature, writing the TwiML reply) for notify.twilio_hooks. Twilio's message
creation is not idempotent: a request that went out and got no answer (a read timeout, a
connection cut mid-reply) may have been sent, so it is UnknownOutcome, never retried; only a
refusal or a connection that never opened is retried. An announcement names its delivery in
its status-callback URL (`Envelope.status_url`), so Twilio's callbacks settle even a delivery
whose create answer was lost.
"""

import logging
from collections.abc import Mapping

import requests
from django.conf import settings
from django.utils.translation import gettext as _
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client
from twilio.twiml.messaging_response import MessagingResponse
from urllib3.exceptions import ConnectTimeoutError

from notify import ratelimit
from notify.channels.base import (
    Channel,
    DeliveryError,
    Envelope,
    PermanentError,
    RetryableError,
    UnknownOutcome,
)

TWILIO_API = "https://api.twilio.com"
# throttle(): a token at most this far away is waited for; a later one postpones the delivery.
MAX_SLEEP = 1.0

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

    def throttle(self, address: str = "") -> float:
        """Pace the sender: every recipient shares its rate, so `address` plays no part."""
        rate = float(setting("NOROSHI_SMS_PER_SECOND", 1))
        if rate <= 0:
            return 0.0
        if self.limiter is None:
            key = "sms:" + "".join(sender().values())
            self.limiter = ratelimit.bucket(key, rate=rate)
        return ratelimit.pace(self.limiter, max_sleep=MAX_SLEEP)

    def close(self) -> None:
        if self.twilio is not None:
            session = getattr(self.twilio.http_client, "session", None)
            if session is not None:
                session.close()
            self.twilio = None

    def send(self, message: str, envelope: Envelope) -> str:
        return self.create_message(
            to=envelope.address, body=message, status_callback=envelope.status_url
        )

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


# --- Twilio's webhooks: their signature, and the reply ---------------------------------------


def signed_by_twilio(urls: tuple[str, ...], params: Mapping, signature: str) -> bool:
    """Whether `signature` (X-Twilio-Signature) is Twilio's, by our auth token, of one of the
    `urls` it may have called and the form `params`."""
    token = setting("TWILIO_AUTH_TOKEN")
    if not signature or not token:
        return False
    validator = RequestValidator(token)
    return any(validator.validate(url, params, signature) for url in urls)


def twiml_reply(text: str) -> str:
    """The TwiML answer to an inbound SMS: `text` sent back, or no message when it is ''."""
    response = MessagingResponse()
    if text:
        response.message(text)
    return str(response)
