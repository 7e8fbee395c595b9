"""The answer to a sign-up, sent to the address itself: a link that confirms a new subscription,
or — when the address has one already — a notice with the link that manages it.

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

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from incidents import selectors
from notify.models import Subscriber
from notify.signing import confirm_url, manage_url

PENDING, CONFIRMED, UNSUBSCRIBED, SUSPENDED = "pending", "confirmed", "unsubscribed", "suspended"


def subscription_state(subscriber: Subscriber) -> str:
    """Where a subscription stands, the state that decides the answer to a sign-up."""
    if subscriber.unsubscribed_at is not None:
        return UNSUBSCRIBED
    if subscriber.suspended_at is not None:
        return SUSPENDED
    return CONFIRMED if subscriber.confirmed_at is not None else PENDING


def notice_text(state: str, page: str) -> str:
    """What a notice says of an existing subscription, in the active language (the manage
    link goes with it)."""
    texts = {
        CONFIRMED: _(
            "Someone (we hope you) asked to subscribe this address to %(page)s status updates. "
            "It is subscribed already: nothing has changed."
        ),
        UNSUBSCRIBED: _(
            "Someone (we hope you) asked to subscribe this address to %(page)s status updates. "
            "It unsubscribed earlier, and nothing has changed: nothing more is sent to it unless "
            "you subscribe again from the link below."
        ),
        SUSPENDED: _(
            "Someone (we hope you) asked to subscribe this address to %(page)s status updates. "
            "Our messages to it could not be delivered, so they were stopped, and nothing has "
            "changed: to receive them again, open the link below."
        ),
    }
    return texts[state] % {"page": page}


def send_confirmation_email(subscriber: Subscriber) -> bool:
    """E-mail the confirmation link to an unconfirmed e-mail subscriber."""
    page = selectors.page_settings()
    with translation.override(subscriber.language):
        name = selectors.localized(page, "name", subscriber.language)
        subject = _("Confirm your subscription to %(page)s status updates") % {"page": name}
        body = _(
            "Someone (we hope you) asked to receive %(page)s status updates at this address.\n\n"
            "Confirm here: %(link)s\n\nIf it was not you, ignore this message: nothing more "
            "will be sent."
        ) % {"page": name, "link": confirm_url(subscriber)}
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [subscriber.address])
    return True


def send_notice_email(subscriber: Subscriber, state: str) -> bool:
    """E-mail an existing subscriber, in its own language, that someone signed its address up
    again, with the link that manages the subscription."""
    page = selectors.page_settings()
    with translation.override(subscriber.language):
        name = selectors.localized(page, "name", subscriber.language)
        subject = _("Your subscription to %(page)s status updates") % {"page": name}
        body = _(
            "%(notice)s\n\nManage your subscription: %(link)s\n\nIf it was not you, ignore this "
            "message: nothing has changed."
        ) % {"notice": notice_text(state, name), "link": manage_url(subscriber)}
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [subscriber.address])
    return True


def send_confirmation(subscriber_id: int) -> bool:
    """Answer a sign-up on the subscriber's own channel: ask a pending subscription to confirm,
    tell an existing one how to manage it (see the table above). False when nothing was sent:
    the subscriber is gone, its channel disabled, or its state calls for silence."""
    from notify import channels

    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None or subscriber.channel not in channels.enabled_channels():
        return False
    channel = channels.channel(subscriber.channel)
    state = subscription_state(subscriber)
    if state == PENDING:
        return channel.send_confirmation(subscriber)
    return channel.send_notice(subscriber, state)
