"""What the management API's subscriber tests share: the messages' subjects, the object's keys,
a webhook and a Slack address, and small readers of answers and audit rows."""

from incidents.models import AuditEntry
from notify.models import Subscriber

CONFIRM = "Confirm your subscription to Noroshi status updates"
NOTICE = "Your subscription to Noroshi status updates"
SUBSCRIBER_KEYS = [
    "id",
    "skip_confirmation_notification",
    "mode",
    "email",
    "endpoint",
    "phone_number",
    "phone_country",
    "display_phone_number",
    "obfuscated_channel_name",
    "workspace_name",
    "quarantined_at",
    "purge_at",
    "components",
    "page_access_user_id",
    "created_at",
    # Noroshi's own
    "state",
    "language",
    "incident_id",
    "confirmed_at",
    "unsubscribed_at",
]
HOOK = "https://hooks.example.com/noroshi/s3cret-token"
SLACK = "https://hooks.slack.com/services/T0001/B0001/XXXXXXXXXXXX"


def ids(response) -> list[str]:
    return [row["id"] for row in response.json()]


def at(people, *names) -> list[str]:
    return [people[name].public_id for name in names]


def audited():
    """The audit rows of subscribers (components' own are written by the fixtures)."""
    return AuditEntry.objects.filter(object_type="subscriber")


def nothing_written(count: int) -> None:
    assert Subscriber.objects.count() == count
    assert not audited().exists()
