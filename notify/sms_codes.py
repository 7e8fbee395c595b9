"""The short codes that confirm an SMS subscription: issued when the answer to a sign-up is
sent (notify.confirmations), stored hashed, and checked on the code page with a limited number
of tries (notify.services.phones)."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from notify.models import Subscriber

SMS_CODE_TRIES = 5
SMS_CODE_LIFETIME = timedelta(minutes=15)


def sms_code_hash(subscriber: Subscriber, code: str) -> str:
    """A code's stored form: an HMAC keyed by SECRET_KEY and the subscriber's own secret, so
    that the table alone does not give a code away, short as it is."""
    secret = settings.SECRET_KEY + subscriber.secret
    return salted_hmac(
        "noroshi.notify.sms-code", code, secret=secret, algorithm="sha256"
    ).hexdigest()


@transaction.atomic
def issue_confirmation_code(*, subscriber: Subscriber, decoy: bool = False) -> str:
    """Give an SMS subscriber a new 6-digit confirmation code, stored hashed, with all its tries
    again; return the code (to be texted: it is never stored in clear). Voids the previous one.

    A `decoy` is issued and never sent (a sign-up for a number that stopped or is suspended):
    what is stored is the hash of no 6-digit code, so every code typed on the page is "not
    right", tries counted, exactly as on a code that was sent — the page tells nobody what
    state the number is in — and none ever opens anything."""
    code = f"{secrets.randbelow(10**6):06d}"
    stored = secrets.token_hex(16) if decoy else code
    now = timezone.now()
    Subscriber.objects.filter(pk=subscriber.pk).update(
        confirmation_code_hash=sms_code_hash(subscriber, stored),
        confirmation_sent_at=now,
        confirmation_attempts=0,
        updated_at=now,
    )
    return code
