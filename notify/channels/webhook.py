"""Webhooks: Statuspage's subscriber payloads (rendered by notify.messages.webhook), POSTed
through notify.netguard and signed.

Every request carries the delivery's Idempotency-Key — the same on every attempt — and a
signature of this attempt: X-Noroshi-Timestamp (Unix seconds) and X-Noroshi-Signature
`v1=<hex HMAC-SHA256(subscriber secret, "{timestamp}.{body}")>`. A send whose answer was lost
(UnknownOutcome) is retried under the same key (delivery.settle_unknown): a receiver that
drops repeated keys sees each event once.

Outcomes: 2xx sent; 408, 429, 5xx, connect and TLS failures retried; other 4xx, a redirect
or a refused address failed for good; no answer after the body was sent is UnknownOutcome.
A 429 or 503 with a Retry-After is retried no sooner than it asks (at most MAX_RETRY_AFTER).
"""

import hashlib
import hmac
import json
import math
import time

from notify import netguard, netpolicy
from notify.channels.base import (
    UNSUBSCRIBE_PLACEHOLDER,
    Channel,
    Envelope,
    PermanentError,
    RetryableError,
    UnknownOutcome,
)

USER_AGENT = "Noroshi-Webhook/1"
RETRYABLE_STATUSES = frozenset({408, 429})
# The statuses whose Retry-After is read (RFC 9110 §10.2.3, RFC 6585 §4), and the longest wait
# taken from it: a receiver cannot park a delivery for days.
RETRY_AFTER_STATUSES = frozenset({429, 503})
MAX_RETRY_AFTER = 3600
# A body rendered for many subscribers starts with these bytes: its one per-subscriber part,
# meta.unsubscribe, comes first, so that `with_unsubscribe` fills it in at a fixed place and
# text elsewhere in the body that happens to look like the placeholder is never touched.
TEMPLATE_PREFIX = b'{"meta":{"unsubscribe":' + json.dumps(UNSUBSCRIBE_PLACEHOLDER).encode()


def encoded(payload: dict) -> bytes:
    """A JSON body as every payload is sent: UTF-8, compact."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def with_unsubscribe(template: bytes, unsubscribe_url: str) -> bytes:
    """A body rendered with the placeholder as meta.unsubscribe, with one subscriber's link."""
    if not template.startswith(TEMPLATE_PREFIX):
        raise ValueError("not a body rendered with the unsubscribe placeholder first")
    filled = b'{"meta":{"unsubscribe":' + json.dumps(unsubscribe_url).encode()
    return filled + template[len(TEMPLATE_PREFIX) :]


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The X-Noroshi-Signature of `body` sent at `timestamp`."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"v1={digest.hexdigest()}"


def signed_headers(body: bytes, *, secret: str, idempotency_key: str) -> dict[str, str]:
    timestamp = str(int(time.time()))
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Idempotency-Key": idempotency_key,
        "X-Noroshi-Timestamp": timestamp,
        "X-Noroshi-Signature": signature(secret, timestamp, body),
    }


def post(url: str, body: bytes, headers: dict[str, str]) -> netguard.Response:
    """POST through netguard; its errors and the answer's status become channel errors."""
    try:
        response = netguard.post(url, body, headers)
    except (netpolicy.Refused, netguard.RedirectRefused) as error:
        raise PermanentError(str(error)) from error
    except netguard.NotDelivered as error:
        raise RetryableError(str(error)) from error
    except netguard.NoAnswer as error:
        raise UnknownOutcome(str(error)) from error
    raise_for_status(response)
    return response


def raise_for_status(response: netguard.Response) -> None:
    """2xx passes; 408, 429 and 5xx are worth another try (after the Retry-After of a 429 or
    503, capped at MAX_RETRY_AFTER); any other answer is final."""
    if 200 <= response.status < 300:
        return
    excerpt = response.excerpt()
    message = f"HTTP {response.status}" + (f": {excerpt}" if excerpt else "")
    if response.status not in RETRYABLE_STATUSES and response.status < 500:
        raise PermanentError(message)
    asked = response.retry_after() if response.status in RETRY_AFTER_STATUSES else None
    if asked is None:
        raise RetryableError(message)
    wait = math.ceil(min(asked, MAX_RETRY_AFTER))
    raise RetryableError(f"{message} (retry after {wait} s)", retry_after=wait)


class WebhookChannel(Channel):
    name = "webhook"

    def send(self, message: bytes, envelope: Envelope) -> str:
        body = with_unsubscribe(message, envelope.unsubscribe_url)
        headers = signed_headers(
            body, secret=envelope.secret, idempotency_key=envelope.idempotency_key
        )
        post(envelope.address, body, headers)
        return ""
