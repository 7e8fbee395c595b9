"""E-mail addresses are stored in lower case, the whole address: a sign-up matches an existing
subscription whatever the case it is typed in.

Rows that differ only in case are one mailbox: they are merged into one. The one kept is the
one that receives messages now (confirmed, neither unsubscribed nor suspended), else a
confirmed one, else the one changed last; it keeps its own scope, language and consent. The
deliveries of the others move to it, but for a notification it already has (the mailbox got
that message once as it is); then the others are deleted. Nothing is undone on the way back.
"""

from collections import defaultdict

from django.db import migrations


def preference(subscriber) -> tuple:
    active = bool(
        subscriber.confirmed_at and not subscriber.unsubscribed_at and not subscriber.suspended_at
    )
    return (
        not active,
        subscriber.confirmed_at is None,
        -subscriber.updated_at.timestamp(),
        subscriber.pk,
    )


def merge(Subscriber, Delivery, address: str, ids: list[int]) -> None:
    kept, *others = sorted(Subscriber.objects.filter(pk__in=ids), key=preference)
    for other in others:
        known = Delivery.objects.filter(subscriber_id=kept.pk).values("notification_id")
        Delivery.objects.filter(subscriber_id=other.pk).exclude(notification_id__in=known).update(
            subscriber_id=kept.pk
        )
        other.delete()
    Subscriber.objects.filter(pk=kept.pk).update(address=address)


def lower_case_email_addresses(apps, schema_editor) -> None:
    Subscriber = apps.get_model("notify", "Subscriber")
    Delivery = apps.get_model("notify", "Delivery")
    mailboxes: dict[str, list[tuple[int, str]]] = defaultdict(list)
    rows = Subscriber.objects.filter(channel="email").values_list("pk", "address")
    for pk, address in rows.iterator(chunk_size=2000):
        mailboxes[address.lower()].append((pk, address))
    for address, members in mailboxes.items():
        if len(members) > 1 or members[0][1] != address:
            merge(Subscriber, Delivery, address, [pk for pk, _ in members])


class Migration(migrations.Migration):
    dependencies = [
        ("notify", "0005_process_heartbeat"),
    ]

    operations = [
        migrations.RunPython(lower_case_email_addresses, migrations.RunPython.noop),
    ]
