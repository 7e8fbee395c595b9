"""Writes of the SMS subscriptions: the confirmation code (checked with a limited number of
tries; notify.sms_codes issues it), the YES / STOP / START replies, and Twilio's status
reports of each message.
"""

import logging
import re
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from incidents.services.audit import record_audit
from notify.choices import DeliveryState
from notify.delivery import note_failure, note_success
from notify.models import Delivery, Subscriber, masked
from notify.selectors import active_sms_subscriber, sms_delivery, sms_subscribers
from notify.sms_codes import SMS_CODE_LIFETIME, SMS_CODE_TRIES, sms_code_hash

# A YES reply confirms a subscription whose code was sent this recently.
SMS_YES_WINDOW = timedelta(days=1)

logger = logging.getLogger(__name__)


def confirm_with_code(*, subscriber: Subscriber, code: str) -> Subscriber:
    """Confirm an SMS subscription with the code it was texted; on one confirmed already, the
    right code only proves the phone's owner (who may then manage it) and changes nothing.

    A code is good while it lives, right code again included (a double submit); nothing but a
    live code texted to the number gets past this, whatever the subscription's state: the code
    page of any sign-up answers alike (a number that stopped holds a decoy). Each try uses up
    one of SMS_CODE_TRIES at once (a conditional UPDATE, committed on its own: do not call this
    inside a transaction that the ValidationError would roll back); after the last wrong one
    the code is void and a new one must be asked for. Raises ValidationError({"code": …}) for
    a malformed, wrong, expired or used-up code, and then writes nothing but the count of tries.
    """
    code = (code or "").strip()
    if not re.fullmatch(r"[0-9]{6}", code):
        raise ValidationError({"code": _("Enter the 6 digits of the code we sent you by SMS.")})
    current = Subscriber.objects.get(pk=subscriber.pk)
    if not take_code_try(current):
        raise ValidationError({"code": unusable_code_reason(current)})
    digest = sms_code_hash(current, code)
    if not constant_time_compare(digest, current.confirmation_code_hash):
        current.refresh_from_db(fields=["confirmation_attempts"])
        raise ValidationError({"code": wrong_code_message(current)})
    now = timezone.now()
    right = Subscriber.objects.filter(pk=current.pk, confirmation_code_hash=digest)
    right.update(confirmation_attempts=0)
    confirmed = right.filter(confirmed_at__isnull=True, unsubscribed_at__isnull=True).update(
        confirmed_at=now, updated_at=now
    )
    current.refresh_from_db()
    if confirmed:
        record_audit(actor=None, action="confirm", target=current, summary="SMS code")
    return current


def take_code_try(subscriber: Subscriber) -> bool:
    """Use up one try of a live code; False when none is left (or there is no live code). The
    subscription's state plays no part (see confirm_with_code)."""
    live_since = timezone.now() - SMS_CODE_LIFETIME
    return bool(
        Subscriber.objects.filter(
            pk=subscriber.pk,
            confirmation_sent_at__gte=live_since,
            confirmation_attempts__lt=SMS_CODE_TRIES,
        )
        .exclude(confirmation_code_hash="")
        .update(confirmation_attempts=F("confirmation_attempts") + 1)
    )


def unusable_code_reason(subscriber: Subscriber) -> str:
    if subscriber.confirmation_code_hash and subscriber.confirmation_attempts >= SMS_CODE_TRIES:
        return _("Too many wrong codes: this code no longer works. Ask for a new one.")
    return _("This code has expired: ask for a new one.")


def wrong_code_message(subscriber: Subscriber) -> str:
    left = max(SMS_CODE_TRIES - subscriber.confirmation_attempts, 0)
    if not left:
        return _("That code is not right, and that was the last try: ask for a new code.")
    return ngettext(
        "That code is not right: %(left)d try left.",
        "That code is not right: %(left)d tries left.",
        left,
    ) % {"left": left}


@transaction.atomic
def confirm_phone(*, number: str) -> Subscriber | None:
    """Confirm the pending SMS subscription of a number that replied YES to its code (sent
    within SMS_YES_WINDOW); the subscriber, or None when nothing was or is confirmed."""
    now = timezone.now()
    confirmed = (
        sms_subscribers(number)
        .filter(
            confirmed_at__isnull=True,
            unsubscribed_at__isnull=True,
            confirmation_sent_at__gte=now - SMS_YES_WINDOW,
        )
        .update(
            confirmed_at=now, confirmation_code_hash="", confirmation_attempts=0, updated_at=now
        )
    )
    subscriber = active_sms_subscriber(number)
    if confirmed and subscriber is not None:
        record_audit(actor=None, action="confirm", target=subscriber, summary="SMS YES")
    return subscriber


@transaction.atomic
def unsubscribe_phone(*, number: str, source: str) -> Subscriber | None:
    """Stop every SMS to a number (a STOP reply, …); the subscriber, or None when the number
    has none. Unsubscribing twice changes nothing."""
    now = timezone.now()
    # A code texted before the STOP dies with it.
    stopped = (
        sms_subscribers(number)
        .filter(unsubscribed_at__isnull=True)
        .update(unsubscribed_at=now, confirmation_code_hash="", updated_at=now)
    )
    logger.info("SMS %s unsubscribed (%s)", masked(number), source)
    subscriber = sms_subscribers(number).first()
    if stopped and subscriber is not None:
        record_audit(actor=None, action="unsubscribe", target=subscriber, summary=source)
    return subscriber


@transaction.atomic
def resubscribe_phone(*, number: str) -> Subscriber | None:
    """Resume SMS to a number that had confirmed and then stopped (a START reply); a suspension
    is lifted too, the reply showing that the phone takes messages. The subscriber, or None
    when the number has no confirmed subscription."""
    resumed = (
        sms_subscribers(number)
        .filter(confirmed_at__isnull=False)
        .filter(Q(unsubscribed_at__isnull=False) | Q(suspended_at__isnull=False))
        .update(
            unsubscribed_at=None,
            suspended_at=None,
            suspended_reason="",
            consecutive_failures=0,
            updated_at=timezone.now(),
        )
    )
    subscriber = active_sms_subscriber(number)
    if resumed and subscriber is not None:
        record_audit(actor=None, action="resume", target=subscriber, summary="sms START")
    return subscriber


# Twilio's message statuses in the order they come; those ranked 4 are final.
SMS_STATUS_ORDER = {
    "accepted": 0, "scheduled": 0, "queued": 1, "sending": 2, "sent": 3,
    "delivered": 4, "undelivered": 4, "failed": 4, "canceled": 4,
}  # fmt: skip
SMS_NOT_DELIVERED = {"undelivered", "failed", "canceled"}
# Twilio error codes saying that the number does not take SMS: they count towards suspending.
SMS_SUBSCRIBER_ERRORS = {
    "21211": "not a valid phone number",
    "21610": "the number replied STOP",
    "21614": "not a mobile number",
    "30003": "the phone is unreachable",
    "30004": "the recipient blocks these messages",
    "30005": "unknown or inactive number",
    "30006": "a landline or unreachable carrier",
}


def record_sms_status(
    *, delivery_key: str, message_sid: str, status: str, error_code: str = ""
) -> Delivery | None:
    """Record what a Twilio status callback says of an SMS; the delivery, or None when the
    callback names none of ours or a status we do not know.

    Callbacks come twice and out of order: the status only moves forward (queued < sending <
    sent < delivered / undelivered / failed, the last three final), by a conditional UPDATE,
    so a repeat or a late one changes nothing. A delivery left `unknown` becomes sent or
    failed; a number that does not take SMS counts towards suspending its subscriber, once.
    """
    rank = SMS_STATUS_ORDER.get(status)
    delivery = sms_delivery(delivery_key)
    if rank is None or delivery is None or not message_sid:
        return None
    earlier = ["", *(name for name, order in SMS_STATUS_ORDER.items() if order < rank)]
    with transaction.atomic():
        moved = (
            Delivery.objects.filter(pk=delivery.pk, provider_status__in=earlier)
            .filter(Q(provider_id="") | Q(provider_id=message_sid))
            .update(provider_status=status, provider_id=message_sid)
        )
        if moved:
            settle_unknown_sms(delivery, status)
            count_sms_outcome(delivery.subscriber, status, error_code)
    delivery.refresh_from_db()
    return delivery


def settle_unknown_sms(delivery: Delivery, status: str) -> None:
    if status in ("sent", "delivered"):
        state = DeliveryState.SENT
    elif status in SMS_NOT_DELIVERED:
        state = DeliveryState.FAILED
    else:
        return
    Delivery.objects.filter(pk=delivery.pk, state=DeliveryState.UNKNOWN).update(
        state=state, error=f"Settled by Twilio's status callback: {status}."
    )


def count_sms_outcome(subscriber: Subscriber, status: str, error_code: str) -> None:
    if status == "delivered":
        note_success(subscriber)
    elif status in SMS_NOT_DELIVERED and error_code in SMS_SUBSCRIBER_ERRORS:
        note_failure(subscriber, f"Twilio {error_code}: {SMS_SUBSCRIBER_ERRORS[error_code]}")
