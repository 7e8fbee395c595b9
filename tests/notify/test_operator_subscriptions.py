"""Subscriptions changed by an operator (the management API): added confirmed on their word,
asked to confirm again, unsubscribed and reactivated in batches, each audited; and addresses
masked for a reader who may not see them."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from incidents.models import AuditEntry
from notify import abuse, masking, services
from notify.models import Subscriber

pytestmark = pytest.mark.django_db

CONFIRM = "Confirm your subscription to Noroshi status updates"


def audit_rows() -> list[tuple[str, str, str]]:
    rows = AuditEntry.objects.filter(object_type="subscriber").order_by("id")
    return [(row.action, row.actor_name, row.object_id) for row in rows]


def test_subscribed_confirmed_on_an_operator_s_word_sends_nothing(
    oncall, components, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        subscriber = services.subscribe_confirmed(
            channel="email",
            address="Ann@Example.com",
            actor=oncall,
            language="ja",
            components=[components["Web"]],
            ip="203.0.113.5",
        )

    subscriber.refresh_from_db()
    assert subscriber.is_active
    assert (subscriber.address, subscriber.language, subscriber.consent_source) == (
        "ann@example.com",
        "ja",
        "api",
    )
    assert str(subscriber.consent_ip) == "203.0.113.5"
    assert subscriber.consent_at == subscriber.confirmed_at
    assert (subscriber.confirmation_due_at, subscriber.answer_owed_since) == (None, None)
    assert [c.name for c in subscriber.components.all()] == ["Web"]
    assert audit_rows() == [("subscribe_confirmed", "oncall", subscriber.public_id)]
    assert callbacks == [] and mailoutbox == []


@pytest.mark.parametrize("state", ["pending", "active", "unsubscribed"])
def test_an_address_with_a_subscription_is_not_subscribed_confirmed(oncall, state):
    now = timezone.now()
    fields = {
        "pending": {},
        "active": {"confirmed_at": now},
        "unsubscribed": {"confirmed_at": now, "unsubscribed_at": now},
    }[state]
    known = Subscriber.objects.create(channel="email", address="ann@example.com", **fields)

    with pytest.raises(ValidationError) as refused:
        services.subscribe_confirmed(channel="email", address="ANN@example.com", actor=oncall)

    assert refused.value.message_dict == {
        "address": [
            f"This address has a subscription already ({known.public_id}): it is kept as it "
            "is, and nothing was sent."
        ]
    }
    assert Subscriber.objects.get() == known
    assert Subscriber.objects.values_list("confirmed_at", flat=True).get() == fields.get(
        "confirmed_at"
    )
    assert audit_rows() == []


def test_a_confirmed_subscription_to_one_incident_chooses_no_components(oncall, outage, components):
    with pytest.raises(ValidationError) as refused:
        services.subscribe_confirmed(
            channel="email",
            address="ann@example.com",
            actor=oncall,
            incident=outage,
            components=[components["API"]],
        )

    assert refused.value.message_dict == {
        "components": ["A subscription to one incident cannot choose components."]
    }
    assert not Subscriber.objects.exists()


def test_a_sign_up_through_the_api_records_where_its_consent_was_asked(components):
    subscriber = services.subscribe(
        channel="email", address="ann@example.com", source="api-unconfirmed"
    )

    assert (subscriber.consent_source, subscriber.confirmed_at) == ("api-unconfirmed", None)
    assert subscriber.confirmation_due_at is not None


def test_resending_owes_the_confirmation_once_until_it_goes(
    oncall, mailoutbox, django_capture_on_commit_callbacks
):
    ann = Subscriber.objects.create(channel="email", address="ann@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        services.resend_confirmation(subscriber=ann, actor=oncall)
        services.resend_confirmation(subscriber=ann, actor=oncall)

    assert [(m.to, m.subject) for m in mailoutbox] == [(["ann@example.com"], CONFIRM)]
    ann.refresh_from_db()
    assert (ann.confirmation_due_at, ann.answer_owed_since) == (None, None)
    assert audit_rows() == [("resend_confirmation", "oncall", ann.public_id)] * 2


def test_resending_keeps_when_the_answer_was_first_owed(oncall):
    since = timezone.now() - timedelta(minutes=5)
    ann = Subscriber.objects.create(
        channel="email",
        address="ann@example.com",
        confirmation_due_at=since,
        answer_owed_since=since,
    )

    services.resend_confirmation(subscriber=ann, actor=oncall)

    ann.refresh_from_db()
    assert ann.answer_owed_since == since
    assert ann.confirmation_due_at > timezone.now()


NOT_PENDING = {
    "confirmed_at": "This subscriber has confirmed already.",
    "suspended_at": "Messages to this subscriber could not be delivered and were stopped.",
    "unsubscribed_at": "This subscriber unsubscribed: nothing is sent to it any more.",
}


@pytest.mark.parametrize("field", NOT_PENDING)
def test_only_a_pending_subscription_is_asked_to_confirm_again(
    oncall, mailoutbox, django_capture_on_commit_callbacks, field
):
    ann = Subscriber.objects.create(
        channel="email", address="ann@example.com", **{field: timezone.now()}
    )

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as no:
        services.resend_confirmation(subscriber=ann, actor=oncall)

    assert no.value.messages == [NOT_PENDING[field]]
    assert Subscriber.objects.get().confirmation_due_at is None
    assert audit_rows() == [] and mailoutbox == []


def test_unsubscribing_many_ends_each_once_and_drops_what_was_owed(oncall):
    now = timezone.now()
    ann = Subscriber.objects.create(
        channel="email",
        address="ann@example.com",
        confirmation_due_at=now,
        answer_owed_since=now,
        confirmation_code_hash="x",
    )
    ben = Subscriber.objects.create(channel="email", address="ben@example.com", unsubscribed_at=now)

    ended = services.unsubscribe_many(subscribers=[ann, ben], actor=oncall)

    assert ended == [ann]
    ann.refresh_from_db()
    assert ann.unsubscribed_at is not None
    assert (ann.confirmation_due_at, ann.answer_owed_since, ann.confirmation_code_hash) == (
        None,
        None,
        "",
    )
    assert Subscriber.objects.get(pk=ben.pk).unsubscribed_at == now
    assert audit_rows() == [("unsubscribe", "oncall", ann.public_id)]
    assert services.unsubscribe_many(subscribers=[ann], actor=oncall) == []


def test_reactivating_lifts_a_quarantine_and_never_an_unsubscription(oncall):
    now = timezone.now()
    quarantined = {"confirmed_at": now, "suspended_at": now, "consecutive_failures": 5}
    cy = Subscriber.objects.create(
        channel="email", address="cy@example.com", suspended_reason="bounced", **quarantined
    )
    dee = Subscriber.objects.create(
        channel="email", address="dee@example.com", unsubscribed_at=now, **quarantined
    )
    ann = Subscriber.objects.create(channel="email", address="ann@example.com", confirmed_at=now)

    lifted = services.reactivate(subscribers=[cy, dee, ann], actor=oncall)

    assert lifted == [cy]
    cy.refresh_from_db()
    assert (cy.is_active, cy.suspended_reason, cy.consecutive_failures) == (True, "", 0)
    dee.refresh_from_db()
    assert (dee.suspended_at, dee.unsubscribed_at) == (now, now)
    assert audit_rows() == [("reactivate", "oncall", cy.public_id)]


# --- masking ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("channel", "address", "shown"),
    [
        ("email", "ann@example.com", "a***@example.com"),
        ("email", "a@example.co.jp", "a***@example.co.jp"),
        ("email", "no-at-sign", "***"),
        ("sms", "+819012345678", "+81 ** **** 5678"),
        ("sms", "+14155550123", "+1 *** *** 0123"),
        ("sms", "+447700900123", "+44 **** **0123"),
        ("sms", "not a number", "***"),
        ("webhook", "https://hooks.example.com/x?token=s3cret", "hooks.example.com"),
        ("slack", "https://hooks.slack.com/services/T0/B0/XXXX", "hooks.slack.com"),
        ("webhook", "https://[::1", "***"),
    ],
)
def test_an_address_is_masked_for_its_channel(channel, address, shown):
    assert masking.masked_address(channel, address) == shown


def test_only_a_role_that_changes_subscribers_sees_personal_data(oncall, viewer, admin_user):
    assert masking.may_see_personal_data(oncall) is True
    assert masking.may_see_personal_data(admin_user) is True
    assert masking.may_see_personal_data(viewer) is False


def test_the_api_s_sign_ups_are_not_counted_by_network():
    counters = abuse.counters_for(ip=None, channel="email", address="ann@example.com")

    assert [counter.limit for counter in counters] == [abuse.PER_ADDRESS]
