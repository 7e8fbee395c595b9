"""Fan-out: one delivery row per matching subscriber, in one set-based statement.

INSERT … SELECT … ON CONFLICT DO NOTHING (PostgreSQL and SQLite alike) against the unique
(notification, subscriber) index: running it again — a retried task, a redelivered message, the
sweep — adds nothing, and no row is built in Python.
"""

from django.db import connection, transaction
from django.utils import timezone

from notify.choices import DeliveryState
from notify.models import Delivery, Notification, Subscriber

CHUNK = 500


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def fan_out_sql(channel_count: int) -> str:
    """The statement: confirmed, active subscribers on an allowed channel whose scope (an
    incident, components, or everything) matches the notification."""
    delivery, subscriber = table(Delivery), table(Subscriber)
    subscriber_components = table(Subscriber.components.through)
    notification_components = table(Notification.components.through)
    channels = ", ".join(["%s"] * channel_count)
    return f"""
        INSERT INTO {delivery}
            (notification_id, subscriber_id, channel, state, attempts, provider_id,
             provider_status, error, created_at)
        SELECT %s, s.id, s.channel, %s, 0, '', '', '', %s
        FROM {subscriber} s
        WHERE s.confirmed_at IS NOT NULL
          AND s.unsubscribed_at IS NULL
          AND s.suspended_at IS NULL
          AND s.channel IN ({channels})
          AND (s.incident_id IS NULL OR s.incident_id = %s)
          AND (
            NOT EXISTS (SELECT 1 FROM {subscriber_components} sc WHERE sc.subscriber_id = s.id)
            OR EXISTS (
              SELECT 1 FROM {subscriber_components} sc
              JOIN {notification_components} nc ON nc.component_id = sc.component_id
              WHERE sc.subscriber_id = s.id AND nc.notification_id = %s
            )
          )
        ON CONFLICT (notification_id, subscriber_id) DO NOTHING
    """


@transaction.atomic
def fan_out(notification_id: int) -> int:
    """Write the delivery rows of a notification; return how many this run added.

    Safe to run any number of times. Marks the notification fanned out with its total.
    """
    notification = Notification.objects.select_for_update().filter(pk=notification_id).first()
    if notification is None:
        return 0  # deleted with its incident since it was queued
    now = timezone.now()
    params = [
        notification.pk,
        DeliveryState.PENDING,
        now,
        *notification.channels,
        notification.incident_id,
        notification.pk,
    ]
    added = 0
    if notification.channels:
        with connection.cursor() as cursor:
            cursor.execute(fan_out_sql(len(notification.channels)), params)
            added = max(cursor.rowcount, 0)
    total = Delivery.objects.filter(notification=notification).count()
    Notification.objects.filter(pk=notification.pk).update(
        fanned_out_at=notification.fanned_out_at or now, delivery_count=total
    )
    return added


def mark_enqueued(delivery_ids: list[int]) -> None:
    """Record that these pending deliveries were just handed to the broker (the sweep waits a
    while before handing them over again)."""
    Delivery.objects.filter(pk__in=delivery_ids, state=DeliveryState.PENDING).update(
        enqueued_at=timezone.now()
    )


def pending_chunks(notification_id: int) -> list[list[int]]:
    """The ids of the notification's pending deliveries, in chunks of CHUNK."""
    ids = list(
        Delivery.objects.filter(notification_id=notification_id, state=DeliveryState.PENDING)
        .order_by("id")
        .values_list("id", flat=True)
    )
    return [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]
