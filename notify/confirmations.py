"""The double opt-in message: a link that confirms a subscription."""

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from incidents import selectors
from notify.models import Subscriber
from notify.signing import confirm_url


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


def send_confirmation(subscriber_id: int) -> bool:
    """Ask a subscriber who has not confirmed yet to confirm, on their own channel (False when
    none is due: confirmed, unsubscribed, gone, or the channel is disabled)."""
    from notify import channels

    subscriber = Subscriber.objects.filter(
        pk=subscriber_id, confirmed_at__isnull=True, unsubscribed_at__isnull=True
    ).first()
    if subscriber is None or subscriber.channel not in channels.enabled_channels():
        return False
    return channels.channel(subscriber.channel).send_confirmation(subscriber)
