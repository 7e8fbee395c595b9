"""The benchmark's Django side, run in its own process with the benchmark's settings: the
subscribers, the publishing (through the services, as the console does), the reference
messages and the final states. Import after django.setup().

Audiences do not overlap: the big audience follows component "API", each probe incident
touches only "Web" (a small audience of its own), and SMS subscribers follow "Phones" — so
that each figure is of one notification's deliveries, while the fan-out statement still
has every subscriber in the table to go through.
"""

import time
from collections import Counter

from django.db import connection, transaction
from django.utils import timezone

from incidents import services
from incidents.models import Component
from notify.channels.base import Envelope
from notify.messages import Announcement
from notify.messages.email import render as render_email
from notify.models import Delivery, Notification, Subscriber
from notify.signing import manage_url, unsubscribe_url

BULK = 5000


def components() -> dict[str, Component]:
    return {
        name: Component.objects.get_or_create(name=name)[0] for name in ("API", "Web", "Phones")
    }


def add_subscribers(
    *, count: int, prefix: str, component: Component, channel: str = "email", domain: str = ""
) -> float:
    """`count` confirmed subscribers following `component`; return the seconds it took."""
    started = time.monotonic()
    now = timezone.now()
    if channel == "email":
        addresses = [f"{prefix}{n:06d}@{domain or 'bench.example'}" for n in range(count)]
    else:  # E.164 numbers in the 555 exchange (not to be dialled)
        addresses = [f"+1201555{n:04d}" for n in range(count)]
    Subscriber.objects.bulk_create(
        (Subscriber(channel=channel, address=a, confirmed_at=now) for a in addresses),
        batch_size=BULK,
    )
    ids = Subscriber.objects.filter(channel=channel, address__in=addresses).values_list(
        "id", flat=True
    )
    through = Subscriber.components.through
    through.objects.bulk_create(
        (through(subscriber_id=i, component_id=component.pk) for i in ids.iterator()),
        batch_size=BULK,
    )
    analyze()
    return time.monotonic() - started


def analyze() -> None:
    """Give the planner the tables' statistics, as autovacuum has on a table that grew to this
    size; right after a bulk load it has none, and plans as if the tables were empty."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def committed(write) -> tuple[object, float]:
    """Run `write` (a service call) in a transaction; return its result and the time of the
    commit (the first thing done on commit, before the service's own on-commit work)."""
    stamp: dict[str, float] = {}
    with transaction.atomic():
        transaction.on_commit(lambda: stamp.setdefault("at", time.time()))
        result = write()
    return result, stamp["at"]


def open_incident(name: str, component: Component, body: str = "Investigating."):
    """An incident on `component`, declared without notifying anyone."""
    return services.declare_incident(
        name=name,
        body=body,
        component_statuses={component: "major_outage"},
        deliver_notifications=False,
    )


def publish_update(incident, body: str) -> tuple[Notification, float]:
    """Post an update with notify on; the notification and the time of the commit."""
    update, at = committed(
        lambda: services.post_update(incident=incident, status="identified", body=body)
    )
    return Notification.objects.get(update=update), at


def declare_and_publish(name: str, component: Component) -> tuple[Notification, float]:
    """Declare an incident with notify on (its first update is announced)."""
    incident, at = committed(
        lambda: services.declare_incident(
            name=name, body="Investigating.", component_statuses={component: "major_outage"}
        )
    )
    return Notification.objects.get(update__incident=incident), at


def states(notification: Notification) -> Counter:
    return Counter(
        Delivery.objects.filter(notification=notification).values_list("state", flat=True)
    )


def open_count(notification: Notification) -> int:
    return Delivery.objects.filter(
        notification=notification, state__in=("pending", "sending")
    ).count()


def reference_source(component: Component, body: str) -> Notification:
    """What the reference renders: a notification (not saved, so never fanned out) of an update
    with the same text as the big one, on an incident declared the same way."""
    # Its first update differs from the big one's (not in the message): an exact repeat of a
    # declaration is refused (incidents.services.repeats).
    incident = open_incident("Elevated API errors", component, "Investigating (reference).")
    update = services.post_update(
        incident=incident, status="identified", body=body, deliver_notifications=False
    )
    return Notification(kind="incident_update", incident=incident, update=update)


def reference_messages(
    notification: Notification, component: Component, count: int, tag: str
) -> list[tuple[str, list[str], bytes]]:
    """`count` messages of the notification as the e-mail channel builds them for Django's SMTP
    backend, to subscribers of `component`, each with the key `<tag>-<n>`: (from, to, bytes),
    ready for smtplib."""
    message = render_email(Announcement(notification, "en"))
    subscribers = Subscriber.objects.filter(components=component).order_by("id")[:count]
    messages = []
    for n, subscriber in enumerate(subscribers):
        envelope = Envelope(
            address=subscriber.address,
            idempotency_key=f"{tag}-{n}",
            unsubscribe_url=unsubscribe_url(subscriber),
            secret=subscriber.secret,
            subscriber_id=subscriber.public_id,
            manage_url=manage_url(subscriber),
        )
        to, data = message.fill(envelope)
        messages.append((message.envelope_from, [to], data))
    return messages
