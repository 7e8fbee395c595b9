"""The answer to a sign-up, sent to the address itself through its channel: a link that confirms
a new subscription, or — when the address has one already — a notice with the link that
manages it (rendered by notify.messages.answers).

What each state gets (a sign-up never changes the subscription itself):

| state        | e-mail, webhook, Slack                | SMS                                      |
|--------------|---------------------------------------|------------------------------------------|
| pending      | its confirmation again                | a new code (the last one void)           |
| confirmed    | "already subscribed" + manage link    | a code that opens the manage page        |
| unsubscribed | "you unsubscribed" + manage link,     | nothing: a STOP holds until START; a     |
|              | whose page subscribes again           | decoy code keeps the code page the same  |
| suspended    | "could not be delivered" + manage     | nothing (START lifts it); a decoy code   |
|              | link, whose page resumes              |                                          |
"""

import time

from notify import channels
from notify.channels.base import Envelope
from notify.choices import Channel
from notify.messages import answers
from notify.messages.answers import CONFIRMED, PENDING, subscription_state
from notify.models import Subscriber
from notify.signing import unsubscribe_url
from notify.sms_codes import issue_confirmation_code


def answer_sign_up(subscriber_id: int) -> bool:
    """Answer a sign-up on the subscriber's own channel: ask a pending subscription to confirm,
    tell an existing one how to manage it (see the table above). False when nothing was sent:
    the subscriber is gone, its channel disabled, or its state calls for silence. An SMS
    answer issues a new code first (a decoy for a number that must get nothing). Raises the
    channel's PermanentError, RetryableError or UnknownOutcome when the send failed."""
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None or subscriber.channel not in channels.enabled_channels():
        return False
    state = subscription_state(subscriber)
    code = ""
    if subscriber.channel == Channel.SMS:
        # A STOP holds until START, and texts cost money; the decoy keeps the code page the
        # same for every sign-up.
        silent = state not in (PENDING, CONFIRMED)
        code = issue_confirmation_code(subscriber=subscriber, decoy=silent)
        if silent:
            return False
    message = answers.answer(subscriber, state, code=code)
    channel = channels.channel(subscriber.channel)
    try:
        channel.send(message, answer_envelope(subscriber, state))
    finally:
        channel.close()
    return True


def answer_envelope(subscriber: Subscriber, state: str) -> Envelope:
    """Where an answer goes, under a key that a receiver can drop repeats by: one per
    subscription request for a confirmation (subscribing again renews consent_at), one per
    clock hour for a notice (a task run twice within it sends the same notice)."""
    if state == PENDING:
        key = f"noroshi-confirm-{subscriber.public_id}-{int(subscriber.consent_at.timestamp())}"
    else:
        key = f"noroshi-notice-{subscriber.public_id}-{int(time.time()) // 3600}"
    return Envelope(
        address=subscriber.address,
        idempotency_key=key,
        unsubscribe_url=unsubscribe_url(subscriber),
        secret=subscriber.secret,
        subscriber_id=subscriber.public_id,
    )
