"""Writes of a subscription: subscribe, confirm, unsubscribe, resume, change what it covers;
and the operators' (the management API): subscribe confirmed on their word, ask to confirm
again, unsubscribe and reactivate, each audited.

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
from incidents.services.audit import field_changes, record_audit
from notify.addresses import normalised_address
from notify.choices import Channel, ConsentSource, Language
from notify.models import Subscriber, masked
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
    source: str = ConsentSource.PAGE,
) -> Subscriber:
    """Ask for a subscription of an address; the subscriber it has (new or not).

    A new address is recorded, unconfirmed, with this language and scope. An address that has
    a subscription already, in any state, keeps it exactly as it is: nobody changes a
    subscription's scope, language or state without one of its signed links, and the answer
    must not tell a visitor whether the address was known. Either way one message is owed,
    written on the subscriber (`confirmation_due_at`) and queued after commit — or by the sweep,
    when the broker could not take it: notify.confirmations.answer_sign_up, which asks a
    pending subscription to confirm and tells an existing one how to manage it. `source`
    records where the request came from (a new subscriber's consent_source). Raises
    ValidationError for a disabled channel, a bad address or language, writing nothing.
    """
    address = checked_address(channel, address, language)
    due = timezone.now() + ANSWER_GRACE
    subscriber, created = Subscriber.objects.get_or_create(
        channel=channel,
        address=address,
        defaults={
            "language": language,
            "incident": incident,
            "consent_ip": ip,
            "consent_source": source,
            "confirmation_due_at": due,
            "answer_owed_since": timezone.now(),
        },
    )
    if created:
        subscriber.components.set(components or [])
        confirmation_on_commit(subscriber.pk)
        record_audit(actor=None, action="subscribe", target=subscriber, summary=source)
    else:
        owe_answer(subscriber)
        record_audit(actor=None, action="repeat_sign_up", target=subscriber, summary=source)
    return subscriber


def checked_address(channel: str, address: str, language: str) -> str:
    """`address` in its stored form, once it and `language` are checked (ValidationError)."""
    address = normalised_address(channel, address)
    check_language(language)
    return address


def check_language(language: str) -> None:
    if language not in Language.values:
        raise ValidationError({"language": f"“{language}” is not a language of this page."})


def owe_answer(subscriber: Subscriber) -> None:
    """Owe the subscriber the answer to a sign-up, queued once committed: one answer owed,
    however many requests ask for it before it goes (the task that claims it sends it, the
    others find nothing owed)."""
    Subscriber.objects.filter(pk=subscriber.pk).update(
        confirmation_due_at=timezone.now() + ANSWER_GRACE,
        answer_owed_since=Coalesce(
            F("answer_owed_since"), Value(timezone.now(), output_field=DateTimeField())
        ),
    )
    confirmation_on_commit(subscriber.pk)


@transaction.atomic
def confirm(*, subscriber: Subscriber) -> Subscriber:
    """Confirm a subscription (double opt-in); confirming twice changes nothing."""
    confirmed = Subscriber.objects.filter(pk=subscriber.pk, confirmed_at__isnull=True).update(
        confirmed_at=timezone.now(), updated_at=timezone.now()
    )
    subscriber.refresh_from_db()
    if confirmed:
        record_audit(actor=None, action="confirm", target=subscriber)
    return subscriber


@transaction.atomic
def unsubscribe(*, subscriber: Subscriber) -> Subscriber:
    """Stop every message to this subscriber; unsubscribing twice changes nothing. An SMS code
    not yet used dies with it."""
    ended = Subscriber.objects.filter(pk=subscriber.pk, unsubscribed_at__isnull=True).update(
        unsubscribed_at=timezone.now(), confirmation_code_hash="", updated_at=timezone.now()
    )
    subscriber.refresh_from_db()
    if ended:
        record_audit(actor=None, action="unsubscribe", target=subscriber)
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
    resumed = (
        Subscriber.objects.filter(pk=current.pk)
        .filter(Q(unsubscribed_at__isnull=False) | Q(suspended_at__isnull=False))
        .update(
            confirmed_at=Coalesce(F("confirmed_at"), Value(now, output_field=DateTimeField())),
            unsubscribed_at=None,
            suspended_at=None,
            suspended_reason="",
            consecutive_failures=0,
            updated_at=now,
        )
    )
    current.refresh_from_db()
    if resumed:
        record_audit(actor=None, action="resume", target=current)
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
    check_language(language)
    current = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    if current.unsubscribed_at is not None:
        raise ValidationError(_("This subscription has ended; subscribe again to receive updates."))
    if components and current.incident_id is not None:
        raise ValidationError(
            {"components": "A subscription to one incident cannot choose components."}
        )
    changes = field_changes(current, {"language": language})
    if set(components) != set(current.components.all()):
        everything = ["(all)"]  # no components: the whole page
        changes["components"] = (
            list(current.components.all()) or everything,
            components or everything,
        )
    current.language, current.updated_at = language, timezone.now()
    current.save(update_fields=["language", "updated_at"])
    current.components.set(components)
    if changes:
        record_audit(
            actor=None,
            action="update_subscription",
            target=current,
            summary=", ".join(changes),
            changes=changes,
        )
    return current


@transaction.atomic
def subscribe_confirmed(
    *,
    channel: str,
    address: str,
    actor,
    language: str = Language.EN,
    components: list[Component] | None = None,
    incident: Incident | None = None,
    ip: str | None = None,
) -> Subscriber:
    """Record a subscription already confirmed, on an operator's word that its owner agreed
    elsewhere (the management API's skip_confirmation_notification, allowed to whoever may
    change subscribers): its consent is recorded as given through the API, vouched for by
    `actor` in the audit row, and nothing is sent to it.

    An address that has a subscription, in any state, keeps it as it is (one that unsubscribed
    said no; one pending confirms through its own link). Raises ValidationError, writing
    nothing, for that, a disabled channel, a bad address or language, and components chosen
    for a subscription to one incident.
    """
    address = checked_address(channel, address, language)
    if components and incident is not None:
        raise ValidationError(
            {"components": "A subscription to one incident cannot choose components."}
        )
    now = timezone.now()
    confirmed = {"confirmed_at": now, "consent_at": now, "consent_source": ConsentSource.API}
    subscriber, created = Subscriber.objects.get_or_create(
        channel=channel,
        address=address,
        defaults={"language": language, "incident": incident, "consent_ip": ip, **confirmed},
    )
    if not created:
        known = f"This address has a subscription already ({subscriber.public_id})"
        raise ValidationError({"address": f"{known}: it is kept as it is, and nothing was sent."})
    subscriber.components.set(components or [])
    record_audit(
        actor=actor, action="subscribe_confirmed", target=subscriber, summary=described(subscriber)
    )
    return subscriber


@transaction.atomic
def resend_confirmation(*, subscriber: Subscriber, actor) -> Subscriber:
    """Ask a subscription that is still pending to confirm again (an operator's request): the
    answer is owed as after a sign-up on the page, and queued once committed. One owed
    already and not yet sent stays the one message: asking again before it goes sends nothing
    more. Raises ValidationError, writing nothing, for a subscription that is not pending."""
    current = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    refusal = not_pending_reason(current)
    if refusal:
        raise ValidationError(refusal)
    owe_answer(current)
    record_audit(
        actor=actor, action="resend_confirmation", target=current, summary=described(current)
    )
    return current


def not_pending_reason(subscriber: Subscriber) -> str:
    """Why a subscription is not waiting for its confirmation ('' when it is)."""
    if subscriber.unsubscribed_at is not None:
        return "This subscriber unsubscribed: nothing is sent to it any more."
    if subscriber.suspended_at is not None:
        return "Messages to this subscriber could not be delivered and were stopped."
    if subscriber.confirmed_at is not None:
        return "This subscriber has confirmed already."
    return ""


@transaction.atomic
def unsubscribe_many(*, subscribers: list[Subscriber], actor) -> list[Subscriber]:
    """Unsubscribe these subscribers by an operator's decision; the ones that were subscribed,
    each with an audit row. The rows are kept, as after an unsubscribe link; an answer still
    owed to a sign-up and an SMS code not yet used die with the subscription. Sends nothing;
    those unsubscribed already stay as they are."""
    ended = list(
        Subscriber.objects.select_for_update()
        .filter(pk__in=[s.pk for s in subscribers], unsubscribed_at__isnull=True)
        .order_by("pk")
    )
    now = timezone.now()
    Subscriber.objects.filter(pk__in=[s.pk for s in ended]).update(
        unsubscribed_at=now,
        confirmation_code_hash="",
        confirmation_due_at=None,
        answer_owed_since=None,
        updated_at=now,
    )
    for subscriber in ended:
        record_audit(
            actor=actor, action="unsubscribe", target=subscriber, summary=described(subscriber)
        )
    return ended


@transaction.atomic
def reactivate(*, subscribers: list[Subscriber], actor) -> list[Subscriber]:
    """Lift the quarantine of these subscribers (an operator's decision: messages could not be
    delivered to them, and the cause is fixed); the ones lifted, each with an audit row.
    Messages go to them again and their failures count from zero. Only quarantined ones that
    have not unsubscribed change: an unsubscribed subscription is its owner's to resume."""
    lifted = list(
        Subscriber.objects.select_for_update()
        .filter(
            pk__in=[s.pk for s in subscribers],
            suspended_at__isnull=False,
            unsubscribed_at__isnull=True,
        )
        .order_by("pk")
    )
    Subscriber.objects.filter(pk__in=[s.pk for s in lifted]).update(
        suspended_at=None, suspended_reason="", consecutive_failures=0, updated_at=timezone.now()
    )
    for subscriber in lifted:
        record_audit(
            actor=actor, action="reactivate", target=subscriber, summary=described(subscriber)
        )
    return lifted


def described(subscriber: Subscriber) -> str:
    """A subscriber as the audit trail names it (its address masked, as in logs)."""
    return f"{subscriber.channel} {masked(subscriber.address)}"
