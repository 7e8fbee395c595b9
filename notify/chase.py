"""E-mailing the owners of overdue recovery actions, at most once a day per action, through the
e-mail channel (its errors classified as every other message's)."""

import logging
from datetime import date

from incidents import selectors, services
from incidents.models import RecoveryAction
from notify.channels.base import DeliveryError, Envelope
from notify.channels.email import EmailChannel
from notify.messages.chase import reminder

logger = logging.getLogger(__name__)


def chase_overdue_actions(*, today: date) -> list[str]:
    """E-mail the owner of every unfinished action due before `today`, at most once a day per
    action; return the public ids of the actions chased.

    Each action is marked chased (incidents.services.mark_action_chased: a conditional UPDATE
    of last_chased_on, committed) before its e-mail is sent: a second run the same day (or one
    running beside it) finds the mark and sends nothing. An e-mail that fails is logged and not
    retried that day (never twice). Actions without an owner, or whose owner has no e-mail
    address, are not chased; the console's action dashboard lists them.
    """
    chased = []
    channel = EmailChannel()
    try:
        for action in selectors.actions_to_chase(today):
            if services.mark_action_chased(action=action, today=today) and send_reminder(
                channel, action, today
            ):
                chased.append(action.public_id)
    finally:
        channel.close()
    return chased


def send_reminder(channel: EmailChannel, action: RecoveryAction, today: date) -> bool:
    """E-mail the owner of a marked action; False (and a log line) when the channel refused
    it or lost it."""
    assert action.owner is not None  # actions_to_chase has an owner for each
    envelope = Envelope(
        address=action.owner.email,
        idempotency_key=f"noroshi-chase-{action.public_id}-{today:%Y%m%d}",
        unsubscribe_url="",
    )
    try:
        channel.send(reminder(action, today), envelope)
    except DeliveryError as error:
        # The class only: a provider's error text may carry the owner's address.
        logger.error("reminder of action %s not sent: %s", action.public_id, type(error).__name__)
        return False
    return True
