"""Writes of the notifications: subscriptions, the sending (kill switch, settling by hand)
and SMS confirmations and replies. Callers import from here: `services.subscribe(…)`."""

from notify.services.phones import (
    SMS_NOT_DELIVERED,
    SMS_STATUS_ORDER,
    SMS_SUBSCRIBER_ERRORS,
    SMS_YES_WINDOW,
    confirm_phone,
    confirm_with_code,
    count_sms_outcome,
    record_sms_status,
    resubscribe_phone,
    settle_unknown_sms,
    take_code_try,
    unsubscribe_phone,
    unusable_code_reason,
    wrong_code_message,
)
from notify.services.sending import (
    pause_sending,
    resolve_unknown,
    resume_sending,
    retry_deliveries,
    set_switch,
)
from notify.services.subscriptions import (
    confirm,
    resume,
    subscribe,
    unsubscribe,
    update_subscription,
)
from notify.sms_codes import (
    SMS_CODE_LIFETIME,
    SMS_CODE_TRIES,
    issue_confirmation_code,
    sms_code_hash,
)

__all__ = [
    "SMS_CODE_LIFETIME",
    "SMS_CODE_TRIES",
    "SMS_NOT_DELIVERED",
    "SMS_STATUS_ORDER",
    "SMS_SUBSCRIBER_ERRORS",
    "SMS_YES_WINDOW",
    "confirm",
    "confirm_phone",
    "confirm_with_code",
    "count_sms_outcome",
    "issue_confirmation_code",
    "pause_sending",
    "record_sms_status",
    "resolve_unknown",
    "resubscribe_phone",
    "resume",
    "resume_sending",
    "retry_deliveries",
    "set_switch",
    "settle_unknown_sms",
    "sms_code_hash",
    "subscribe",
    "take_code_try",
    "unsubscribe",
    "unsubscribe_phone",
    "unusable_code_reason",
    "update_subscription",
    "wrong_code_message",
]
