"""E-mail addresses ignore case, the whole address: stored in lower case, matched so, and the
rows written before that rule merged (notify/migrations/0006)."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from incidents import services as incident_services
from notify import services
from notify.email_feedback import by_address
from notify.models import Delivery, Notification, Subscriber

pytestmark = pytest.mark.django_db(transaction=True)

migration = importlib.import_module("notify.migrations.0006_email_addresses_in_lower_case")


def test_an_address_is_stored_in_lower_case_local_part_included(mailoutbox):
    subscriber = services.subscribe(channel="email", address="  Ann.Lee@Example.COM ")
    assert subscriber.address == "ann.lee@example.com"
    assert [m.to for m in mailoutbox] == [["ann.lee@example.com"]]
    assert by_address("ANN.LEE@example.com") == subscriber


def notifications(count: int) -> list[Notification]:
    return [
        Notification.objects.create(
            kind="postmortem_published",
            incident=incident_services.declare_incident(
                name=f"Outage {n}", body="Investigating.", deliver_notifications=False
            ),
        )
        for n in range(count)
    ]


def test_the_migration_merges_rows_that_differ_only_in_case(components):
    now = timezone.now()
    first, second, third = notifications(3)
    active = Subscriber.objects.create(
        channel="email", address="Ann@Example.com", confirmed_at=now, language="ja"
    )
    active.components.set([components["API"]])
    ended = Subscriber.objects.create(
        channel="email",
        address="ann@example.com",
        confirmed_at=now,
        unsubscribed_at=now,
        updated_at=now + timedelta(hours=1),
    )
    pending = Subscriber.objects.create(channel="email", address="ANN@EXAMPLE.COM")
    shouting = Subscriber.objects.create(channel="email", address="BOB@X.JP", confirmed_at=now)
    quiet = Subscriber.objects.create(channel="email", address="carl@x.jp")
    phone = Subscriber.objects.create(channel="sms", address="+819012345678")
    for subscriber, notes in ((active, [first, second]), (ended, [second, third]), (pending, [])):
        for note in notes:
            Delivery.objects.create(notification=note, subscriber=subscriber, channel="email")
    moved = Delivery.objects.get(subscriber=ended, notification=third).pk

    with connection.schema_editor() as editor:
        migration.lower_case_email_addresses(apps, editor)

    assert sorted(Subscriber.objects.values_list("pk", "channel", "address")) == sorted(
        [
            (active.pk, "email", "ann@example.com"),
            (shouting.pk, "email", "bob@x.jp"),
            (quiet.pk, "email", "carl@x.jp"),
            (phone.pk, "sms", "+819012345678"),
        ]
    )
    kept = Subscriber.objects.get(pk=active.pk)
    assert (kept.language, kept.confirmed_at, kept.unsubscribed_at) == ("ja", now, None)
    assert list(kept.components.all()) == [components["API"]]
    assert sorted(
        Delivery.objects.filter(subscriber=kept).values_list("notification_id", flat=True)
    ) == [first.pk, second.pk, third.pk]
    assert Delivery.objects.get(notification=third).pk == moved
    assert Delivery.objects.count() == 3


def test_without_an_active_row_the_confirmed_one_changed_last_is_kept():
    now = timezone.now()
    older = Subscriber.objects.create(
        channel="email", address="Dan@x.jp", confirmed_at=now, unsubscribed_at=now
    )
    newer = Subscriber.objects.create(
        channel="email",
        address="dan@X.jp",
        confirmed_at=now,
        suspended_at=now,
        updated_at=now + timedelta(minutes=1),
    )
    Subscriber.objects.create(channel="email", address="DAN@x.jp", updated_at=now + timedelta(1))

    with connection.schema_editor() as editor:
        migration.lower_case_email_addresses(apps, editor)

    assert list(Subscriber.objects.values_list("pk", "address")) == [(newer.pk, "dan@x.jp")]
    assert older.pk != newer.pk
