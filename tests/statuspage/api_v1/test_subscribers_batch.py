"""Subscribers unsubscribed, sent their confirmation again, reactivated, in batches as
Statuspage's forms send them; and an incident's own subscribers."""

import pytest
from django.utils import timezone

from notify.models import Subscriber
from tests.statuspage.api_v1.subscriber_data import (
    CONFIRM,
    at,
    audited,
    ids,
    nothing_written,
)

pytestmark = pytest.mark.django_db


# --- Unsubscribing, resending, reactivating -----------------------------------------------------


def test_delete_unsubscribes_and_keeps_the_row(api, base, oncall, people):
    ben = people["ben"]
    Subscriber.objects.filter(pk=ben.pk).update(confirmation_due_at=timezone.now())

    response = api.delete(f"{base}/subscribers/{ben.public_id}")

    assert response.status_code == 200
    assert (response.json()["id"], response.json()["state"]) == (ben.public_id, "unsubscribed")
    ben.refresh_from_db()
    assert ben.unsubscribed_at is not None
    assert ben.confirmation_due_at is None  # its owed confirmation dies with it
    audit = audited().get()
    assert (audit.action, audit.actor, audit.object_id) == ("unsubscribe", oncall, ben.public_id)
    again = api.delete(f"{base}/subscribers/{ben.public_id}")
    assert again.status_code == 200
    assert audited().count() == 1
    assert api.delete(f"{base}/subscribers/nosuchsub123").status_code == 404


def test_resending_owes_one_confirmation_however_often_it_is_asked_before_it_goes(
    api, base, settings, components, mailoutbox, django_capture_on_commit_callbacks
):
    settings.NOROSHI_SIGNUPS_PER_ADDRESS_HOUR = 10
    body = {"subscriber": {"email": "ann@example.com"}}
    created = api.post(f"{base}/subscribers", body, format="json")
    url = f"{base}/subscribers/{created.json()['id']}/resend_confirmation"

    with django_capture_on_commit_callbacks(execute=True):
        first, second = api.post(url), api.post(url)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.content == b""
    assert [m.subject for m in mailoutbox] == [CONFIRM]

    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(url).status_code == 201  # asked again after it went: one more
    assert [m.subject for m in mailoutbox] == [CONFIRM, CONFIRM]
    assert audited().filter(action="resend_confirmation").count() == 3


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("ann", "This subscriber has confirmed already."),
        ("cy", "Messages to this subscriber could not be delivered and were stopped."),
        ("dee", "This subscriber unsubscribed: nothing is sent to it any more."),
    ],
)
def test_only_an_unconfirmed_subscriber_is_sent_its_confirmation_again(
    api, base, people, mailoutbox, django_capture_on_commit_callbacks, name, message
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"{base}/subscribers/{people[name].public_id}/resend_confirmation")

    assert response.status_code == 422
    assert response.json() == {"error": message}
    assert Subscriber.objects.get(pk=people[name].pk).confirmation_due_at is None
    nothing_written(7)
    assert mailoutbox == []


def test_batch_unsubscribe_takes_statuspage_s_comma_separated_ids(api, base, people):
    named = ",".join(at(people, "ann", "eve"))

    response = api.post(f"{base}/subscribers/unsubscribe", {"subscribers": named}, format="json")

    assert response.status_code == 201
    assert response.json() == {"subscribers": at(people, "ann", "eve")}
    assert set(Subscriber.objects.filter(unsubscribed_at__isnull=False)) == {
        people["ann"],
        people["eve"],
        people["dee"],
    }
    assert audited().filter(action="unsubscribe").count() == 2


def test_batch_unsubscribe_takes_a_list_form_encoded_and_a_type(api, base, people):
    response = api.post(
        f"{base}/subscribers/unsubscribe",
        f"subscribers[]={people['ann'].public_id}&subscribers[]={people['hook'].public_id}"
        "&type=webhook",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 201
    assert response.json() == {"subscribers": at(people, "hook")}


def test_batch_unsubscribe_of_all_takes_the_active_ones_of_a_type(api, base, people):
    response = api.post(
        f"{base}/subscribers/unsubscribe",
        {"subscribers": "all", "type": "email", "skip_unsubscription_notification": True},
        format="json",
    )

    assert response.json() == {"subscribers": at(people, "ann")}
    assert Subscriber.objects.get(pk=people["ben"].pk).unsubscribed_at is None


def test_batch_unsubscribe_of_all_refuses_more_than_100(api, base):
    Subscriber.objects.bulk_create(
        Subscriber(channel="email", address=f"s{n:03}@example.com", confirmed_at=timezone.now())
        for n in range(101)
    )

    response = api.post(f"{base}/subscribers/unsubscribe", {"subscribers": "all"}, format="json")

    assert response.status_code == 422
    assert response.json() == {
        "error": "More than 100 subscribers match: name them, 100 at a time."
    }
    assert not Subscriber.objects.filter(unsubscribed_at__isnull=False).exists()


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"subscribers": ""}, "subscribers", "Name at least one subscriber, or “all”."),
        ({"subscribers": 5}, "subscribers", "Send the subscriber ids as a list, as “id1,id2”, "
                                            "or “all”."),
        ({"subscribers": ",".join(f"id{n:010}" for n in range(101))}, "subscribers",
         "Name at most 100 subscribers at once."),
        ({}, "subscribers", "This field is required."),
        ({"subscribers": "all", "state": "gone"}, "state",
         "“gone” is not one of active, unconfirmed, quarantined, unsubscribed, all."),
    ],
)  # fmt: skip
def test_a_bad_batch_is_named_and_nothing_is_written(api, base, people, body, field, message):
    response = api.post(f"{base}/subscribers/unsubscribe", body, format="json")

    assert response.status_code == 400
    assert response.json()["fields"] == {field: message}
    assert Subscriber.objects.filter(unsubscribed_at__isnull=False).count() == 1
    nothing_written(7)


def test_a_batch_naming_an_unknown_subscriber_unsubscribes_none(api, base, people):
    named = f"{people['ann'].public_id},nosuchsub123"

    response = api.post(f"{base}/subscribers/unsubscribe", {"subscribers": named}, format="json")

    assert response.status_code == 400
    assert response.json()["fields"] == {"subscribers": "There is no subscriber “nosuchsub123”."}
    assert Subscriber.objects.get(pk=people["ann"].pk).unsubscribed_at is None
    nothing_written(7)


def test_reactivate_lifts_the_quarantine_only(api, base, people):
    Subscriber.objects.filter(pk=people["cy"].pk).update(
        suspended_reason="bounced", consecutive_failures=3
    )
    named = at(people, "cy", "dee", "ann")

    response = api.post(f"{base}/subscribers/reactivate", {"subscribers": named}, format="json")

    assert response.status_code == 201
    assert response.json() == {"subscribers": at(people, "cy")}
    cy = Subscriber.objects.get(pk=people["cy"].pk)
    assert (cy.is_active, cy.suspended_reason, cy.consecutive_failures) == (True, "", 0)
    assert Subscriber.objects.get(pk=people["dee"].pk).unsubscribed_at is not None
    assert audited().get().action == "reactivate"


def test_reactivate_all_takes_the_quarantined(api, base, people):
    response = api.post(f"{base}/subscribers/reactivate", {"subscribers": "all"}, format="json")

    assert response.json() == {"subscribers": at(people, "cy")}


def test_a_retried_batch_acts_once(api, base, people):
    body = {"subscribers": people["ann"].public_id}
    for _ in range(2):
        response = api.post(
            f"{base}/subscribers/unsubscribe", body, format="json", HTTP_IDEMPOTENCY_KEY="b1"
        )
        assert response.json() == {"subscribers": at(people, "ann")}

    assert audited().count() == 1


# --- Incident subscribers -----------------------------------------------------------------------


@pytest.fixture
def incident_base(base, outage) -> str:
    return f"{base}/incidents/{outage.public_id}"


def test_an_incident_subscriber_is_created_listed_read_and_unsubscribed(
    api, incident_base, outage, people, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post(
            f"{incident_base}/subscribers",
            {"subscriber": {"email": "fay@example.com"}},
            format="json",
        )

    assert created.status_code == 201, created.json()
    fay = Subscriber.objects.get(address="fay@example.com")
    assert (fay.incident, created.json()["incident_id"]) == (outage, outage.public_id)
    assert [m.subject for m in mailoutbox] == [CONFIRM]
    assert ids(api.get(f"{incident_base}/subscribers?state=all")) == [fay.public_id]
    assert ids(api.get(f"{incident_base}/subscribers")) == []  # active only, by default
    one = f"{incident_base}/subscribers/{fay.public_id}"
    assert api.get(one).json()["id"] == fay.public_id
    assert api.delete(one).json()["state"] == "unsubscribed"


def test_an_incident_subscriber_confirmed_on_the_operator_s_word(api, incident_base, outage):
    response = api.post(
        f"{incident_base}/subscribers",
        {"subscriber": {"email": "fay@example.com", "skip_confirmation_notification": True}},
        format="json",
    )

    assert response.status_code == 201
    assert (response.json()["state"], response.json()["incident_id"]) == (
        "active",
        outage.public_id,
    )


def test_a_page_subscriber_is_not_found_under_an_incident(api, incident_base, people):
    ann = people["ann"].public_id

    response = api.get(f"{incident_base}/subscribers/{ann}")

    assert response.status_code == 404
    assert response.json() == {"error": f"There is no subscriber “{ann}” of this incident."}
    assert api.delete(f"{incident_base}/subscribers/{ann}").status_code == 404
    assert Subscriber.objects.get(public_id=ann).unsubscribed_at is None


def test_an_incident_subscriber_chooses_no_components(api, incident_base, components):
    response = api.post(
        f"{incident_base}/subscribers",
        {"subscriber": {"email": "f@example.com", "component_ids": [components["API"].public_id]}},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "subscriber.component_ids": "A subscriber of one incident follows it whole."
    }
    nothing_written(0)


def test_an_unknown_incident_is_404(api, base):
    response = api.get(f"{base}/incidents/nosuchinc123/subscribers")

    assert response.status_code == 404
    assert response.json() == {"error": "There is no incident “nosuchinc123” on this page."}


def test_an_incident_subscriber_is_sent_its_confirmation_again(
    api, incident_base, outage, mailoutbox, django_capture_on_commit_callbacks
):
    fay = Subscriber.objects.create(channel="email", address="fay@example.com", incident=outage)

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"{incident_base}/subscribers/{fay.public_id}/resend_confirmation")

    assert response.status_code == 201
    assert [m.subject for m in mailoutbox] == [CONFIRM]


def test_a_viewer_reads_an_incident_s_subscribers_masked_and_writes_nothing(
    viewer_api, incident_base, outage
):
    fay = Subscriber.objects.create(
        channel="email", address="fay@example.com", incident=outage, confirmed_at=timezone.now()
    )

    listed = viewer_api.get(f"{incident_base}/subscribers")
    assert [row["email"] for row in listed.json()] == ["f***@example.com"]
    writes = [
        viewer_api.post(
            f"{incident_base}/subscribers",
            {"subscriber": {"email": "g@example.com"}},
            format="json",
        ),
        viewer_api.delete(f"{incident_base}/subscribers/{fay.public_id}"),
        viewer_api.post(f"{incident_base}/subscribers/{fay.public_id}/resend_confirmation"),
    ]
    assert [w.status_code for w in writes] == [403] * 3
    nothing_written(1)
