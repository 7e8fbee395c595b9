"""The answer to a sign-up, in the subscriber's language: a request to confirm a pending
subscription, or a notice to an existing one of where it stands, with its manage link.
notify.confirmations decides which one is owed and sends it.
"""

from django.utils import translation
from django.utils.translation import gettext as _

from incidents import selectors
from notify.channels.mime import EmailContent, PreparedEmail
from notify.channels.slack import SlackMessage
from notify.choices import Channel
from notify.messages import slack, webhook
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


def answer(
    subscriber: Subscriber, state: str, *, code: str = ""
) -> PreparedEmail | SlackMessage | bytes | str:
    """The answer owed to a sign-up in `state`, as the subscriber's channel sends it; `code`
    is the SMS confirmation code just issued (SMS answers only pending and confirmed numbers)."""
    if subscriber.channel == Channel.WEBHOOK:
        if state == PENDING:
            return webhook.verification(subscriber, confirm_url=confirm_url(subscriber))
        return webhook.notice(subscriber, state=state, manage_url=manage_url(subscriber))
    name = selectors.localized(selectors.page_settings(), "name", subscriber.language)
    with translation.override(subscriber.language):
        if subscriber.channel == Channel.SMS:
            return sms_answer(name, state, code)
        if subscriber.channel == Channel.SLACK:
            if state == PENDING:
                return slack.confirmation(name, confirm_url(subscriber))
            return slack.notice(name, notice_text(state, name), manage_url(subscriber))
        return email_answer(subscriber, name, state)


def email_answer(subscriber: Subscriber, name: str, state: str) -> PreparedEmail:
    """The e-mail answer, text only, in the active language."""
    if state == PENDING:
        subject = _("Confirm your subscription to %(page)s status updates") % {"page": name}
        body = _(
            "Someone (we hope you) asked to receive %(page)s status updates at this address.\n\n"
            "Confirm here: %(link)s\n\nIf it was not you, ignore this message: nothing more "
            "will be sent."
        ) % {"page": name, "link": confirm_url(subscriber)}
    else:
        subject = _("Your subscription to %(page)s status updates") % {"page": name}
        body = _(
            "%(notice)s\n\nManage your subscription: %(link)s\n\nIf it was not you, ignore this "
            "message: nothing has changed."
        ) % {"notice": notice_text(state, name), "link": manage_url(subscriber)}
    return PreparedEmail(EmailContent(subject, body, html=""), offer_unsubscribe=False)


def sms_answer(name: str, state: str, code: str) -> str:
    """The SMS answer with its code, in the active language: to confirm a pending number, or
    to open the manage page of a subscribed one."""
    if state == PENDING:
        text = _(
            "[%(page)s] Your code is %(code)s. Reply YES to confirm, or enter the code on the page."
        )
    else:
        text = _(
            "[%(page)s] This number is subscribed already; nothing has changed. Your code "
            "is %(code)s: enter it on the page to manage the subscription."
        )
    return text % {"page": name, "code": code}
