"""Writes of a subscription: subscribe, confirm, unsubscribe, resume, change what it covers.

The rule they keep: a sign-up on the public form creates a subscription, never changes one.
What a subscription covers, its language and its state change only through its signed links
(confirm, code, manage, unsubscribe), STOP/START replies, the operators, and the providers'
reports.

Each validates first (ValidationError with a precise message, nothing written) and defers
anything that talks to the outside world (a confirmation message, a queued task) until after
commit.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import DateTimeField, F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.models import Component, Incident
from notify.addresses import normalised_address
from notify.choices import Channel, Language
from notify.models import Subscriber
from notify.on_commit import confirmation_on_commit
from notify.owed_answers import ANSWER_GRACE


@transaction.atomic
def subscribe(
    *,
    channel: str,
    address: str,
    language: str = Language.EN,
    components: list[Component] | None = None,
    incident: Incident | None = None,
    ip: str | None = None,
) -> Subscriber:
    """Ask for a subscription of an address; the subscriber it has (new or not).

    A new address is recorded, unconfirmed, with this language and scope. An address that has
    a subscription already, in any state, keeps it exactly as it is: nobody changes a
    subscription's scope, language or state without one of its signed links, and the answer
    must not tell a visitor whether the address was known. Either way one message is owed,
    written on the subscriber (`confirmation_due_at`) and queued after commit — or by the sweep,
    when the broker could not take it: notify.confirmations.answer_sign_up, which asks a
    pending subscription to confirm and tells an existing one how to manage it. Raises
    ValidationError for a disabled channel, a bad address or language, writing nothing.
    """
    address = normalised_address(channel, address)
    if language not in Language.values:
        raise ValidationError({"language": f"“{language}” is not a language of this page."})
    due = timezone.now() + ANSWER_GRACE
    subscriber, created = Subscriber.objects.get_or_create(
        channel=channel,
        address=address,
        defaults={
            "language": language,
            "incident": incident,
            "consent_ip": ip,
            "confirmation_due_at": due,
            "answer_owed_since": timezone.now(),
        },
    )
    if created:
        subscriber.components.set(components or [])
    else:  # one answer owed, however many sign-ups ask for it before it goes
        Subscriber.objects.filter(pk=subscriber.pk).update(
            confirmation_due_at=due,
            answer_owed_since=Coalesce(
                F("answer_owed_since"), Value(timezone.now(), output_field=DateTimeField())
            ),
        )
    confirmation_on_commit(subscriber.pk)
    return subscriber


@transaction.atomic
def confirm(*, subscriber: Subscriber) -> Subscriber:
    """Confirm a subscription (double opt-in); confirming twice changes nothing."""
    Subscriber.objects.filter(pk=subscriber.pk, confirmed_at__isnull=True).update(
        confirmed_at=timezone.now(), updated_at=timezone.now()
    )
    subscriber.refresh_from_db()
    return subscriber


@transaction.atomic
def unsubscribe(*, subscriber: Subscriber) -> Subscriber:
    """Stop every message to this subscriber; unsubscribing twice changes nothing. An SMS code
    not yet used dies with it."""
    Subscriber.objects.filter(pk=subscriber.pk, unsubscribed_at__isnull=True).update(
        unsubscribed_at=timezone.now(), confirmation_code_hash="", updated_at=timezone.now()
    )
    subscriber.refresh_from_db()
    return subscriber


@transaction.atomic
def resume(*, subscriber: Subscriber) -> Subscriber:
    """Subscribe again a subscription that ended or was suspended, as it was (scope, language);
    resuming an active one changes nothing.

    Called from its manage link only: the link reached the address, which proves that the
    address wants it and takes messages, so the subscription is confirmed as well. A number
    that replied STOP resumes only by replying START (its carrier blocks our texts until then):
    ValidationError, nothing written.
    """
    current = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    if current.channel == Channel.SMS and current.unsubscribed_at is not None:
        raise ValidationError(
            "This number asked us to stop: reply START to our number to receive updates again."
        )
    now = timezone.now()
    Subscriber.objects.filter(pk=current.pk).filter(
        Q(unsubscribed_at__isnull=False) | Q(suspended_at__isnull=False)
    ).update(
        confirmed_at=Coalesce(F("confirmed_at"), Value(now, output_field=DateTimeField())),
        unsubscribed_at=None,
        suspended_at=None,
        suspended_reason="",
        consecutive_failures=0,
        updated_at=now,
    )
    current.refresh_from_db()
    return current


@transaction.atomic
def update_subscription(
    *, subscriber: Subscriber, components: list[Component], language: str
) -> Subscriber:
    """Change what a subscriber follows (no components: the whole page) and their language.

    Writes the subscriber and its components in one transaction, nothing else. Raises
    ValidationError, writing nothing, for a language the page does not speak, a subscription
    that has ended, or components on a subscription to one incident.
    """
    if language not in Language.values:
        raise ValidationError({"language": f"“{language}” is not a language of this page."})
    current = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    if current.unsubscribed_at is not None:
        raise ValidationError(_("This subscription has ended; subscribe again to receive updates."))
    if components and current.incident_id is not None:
        raise ValidationError(
            {"components": "A subscription to one incident cannot choose components."}
        )
    current.language, current.updated_at = language, timezone.now()
    current.save(update_fields=["language", "updated_at"])
    current.components.set(components)
    return current
