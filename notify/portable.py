"""The subscribers' part of a portable page document (incidents.portable): each subscriber
with their consent record (when, from where, how it was given; when they confirmed,
unsubscribed or were suspended), their scope (components, or one incident) and the secret
that signs their links and webhook bodies, so that links already sent and receivers' HMAC
checks keep working after the move (with the same SECRET_KEY).

What is owed to a subscriber at export time (a confirmation not sent yet) does not travel:
an import sends nothing. notify.apps installs this section.
"""

from django.core.exceptions import ValidationError

from incidents.models import Component, Incident
from incidents.portable import Fields, Section
from incidents.portable.document import row_of
from notify.addresses import NORMALISERS
from notify.models import Subscriber

SUBSCRIBER_FIELDS = (
    "public_id", "channel", "address", "language", "confirmed_at", "unsubscribed_at",
    "suspended_at", "suspended_reason", "consecutive_failures", "consent_at", "consent_ip",
    "consent_source", "confirmation_code_hash", "confirmation_sent_at",
    "confirmation_attempts", "secret", "created_at", "updated_at",
)  # fmt: skip


def export_subscribers() -> list[dict]:
    rows = Subscriber.objects.select_related("incident").prefetch_related("components")
    return [
        {
            **row_of(subscriber, SUBSCRIBER_FIELDS),
            "components": sorted(c.public_id for c in subscriber.components.all()),
            "incident": subscriber.incident.public_id if subscriber.incident else None,
        }
        for subscriber in rows.order_by("pk")
    ]


def known(fields: Fields, key: str, public_id: str, table: dict[str, int]) -> int:
    """The primary key of the row `public_id` names (written by the import before this)."""
    if public_id not in table:
        raise fields.fail(key, f"“{public_id}” is not in the document.")
    return table[public_id]


def checked_address(fields: Fields) -> None:
    """Refuse an address its channel's sign-up would refuse (a webhook to a private network, a
    Slack URL off Slack's hosts, a malformed e-mail or number): a document edited by hand must
    not store a target the delivery would be pointed at."""
    channel = fields.text("channel")
    normalise = NORMALISERS.get(channel)
    if normalise is None:
        raise fields.fail("channel", f"“{channel}” is not a channel.")
    try:
        normalise(fields.text("address"))
    except ValidationError as error:
        raise fields.fail("address", " ".join(error.messages)) from None


def load_subscribers(listed: list[Fields]) -> int:
    """Write the subscribers of a document (the import's transaction, after the incidents)."""
    components = dict(Component.objects.values_list("public_id", "pk"))
    incidents = dict(Incident.objects.values_list("public_id", "pk"))
    made = []
    for f in listed:
        checked_address(f)
        incident = f.text_or_none("incident")
        made.append(
            Subscriber(
                **f.values_for(Subscriber, SUBSCRIBER_FIELDS),
                incident_id=known(f, "incident", incident, incidents) if incident else None,
            )
        )
    subscribers = Subscriber.objects.bulk_create(made)
    through = Subscriber.components.through
    through.objects.bulk_create(
        [
            through(
                subscriber_id=subscriber.pk,
                component_id=known(f, "components", public_id, components),
            )
            for subscriber, f in zip(subscribers, listed, strict=True)
            for public_id in f.texts("components")
        ]
    )
    return len(subscribers)


SUBSCRIBERS = Section(
    name="subscribers",
    export=export_subscribers,
    load=load_subscribers,
    has_rows=lambda: Subscriber.objects.exists(),
)
