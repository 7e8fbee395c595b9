"""A console form submitted twice posts once: a double click, a retry after a timeout or an error
page, back and resubmit. Each form carries a one-time key; the second submission writes
nothing and is sent to what the first one made, with a message saying so.

Forms are filled as a browser fills them (tests/incidents/test_admin.py: form_data), so the
key the page renders is what is posted.
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.utils import timezone

from incidents import services
from incidents.admin.once import ALREADY_POSTED, ALREADY_POSTED_OTHER, SUBMISSION_FIELD
from incidents.models import IdempotencyKey, Incident, IncidentUpdate, PostMortem
from notify.models import Notification
from tests.factories import UserFactory
from tests.incidents.postmortem_data import COMPLETE_SECTIONS, hand_built_incident, make_components
from tests.incidents.test_admin import DECLARE_URL, change_url, form_data, form_errors
from tests.incidents.test_admin_maintenance import MAINTENANCE_URL, split

pytestmark = pytest.mark.django_db


@pytest.fixture
def oncall_client(client, oncall):
    client.force_login(oncall)
    return client


def declare_form(client, components) -> dict:
    data = form_data(client.get(DECLARE_URL), "incident_form")
    return data | {
        "name": "API is down",
        "body": "We are investigating errors on the API.",
        f"component_{components['API'].pk}": "major_outage",
    }


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_a_declaration_submitted_twice_declares_once(oncall_client, components):
    data = declare_form(oncall_client, components)

    first = oncall_client.post(DECLARE_URL, data, follow=True)
    second = oncall_client.post(DECLARE_URL, data, follow=True)

    incident = Incident.objects.get()
    assert first.redirect_chain == [(change_url(incident), 302)]
    assert second.redirect_chain == [(change_url(incident), 302)]
    assert messages_of(second) == [ALREADY_POSTED]
    assert IncidentUpdate.objects.count() == 1
    assert Notification.objects.count() == 1
    claim = IdempotencyKey.objects.get()
    assert (claim.key, claim.result_type, claim.result_id) == (
        data[SUBMISSION_FIELD],
        "incidents.incident",
        str(incident.pk),
    )


@pytest.mark.parametrize("status", ["identified", "resolved"])
def test_an_update_submitted_twice_posts_one_update(oncall_client, components, status):
    incident = services.declare_incident(name="API is down", body="Investigating.")
    data = form_data(oncall_client.get(change_url(incident)), "incident_form")
    data |= {"update_status": status, "update_body": "A bad deploy; rolled back."}

    first = oncall_client.post(change_url(incident), data, follow=True)
    second = oncall_client.post(change_url(incident), data, follow=True)

    assert first.redirect_chain == [("/admin/incidents/incident/", 302)]
    assert second.redirect_chain == [(change_url(incident), 302)]
    assert messages_of(second) == [ALREADY_POSTED]
    assert list(incident.updates.values_list("status", flat=True)) == [status, "investigating"]
    assert Notification.objects.filter(update__status=status).count() == 1


def test_a_maintenance_scheduled_twice_is_scheduled_once(oncall_client, components):
    now = timezone.now()
    data = form_data(oncall_client.get(f"{MAINTENANCE_URL}add/"), "scheduledmaintenance_form")
    data |= {
        "name": "Database upgrade",
        "body": "The API may be slow.",
        **split("scheduled_for", now + timedelta(hours=1)),
        **split("scheduled_until", now + timedelta(hours=2)),
    }

    first = oncall_client.post(f"{MAINTENANCE_URL}add/", data, follow=True)
    second = oncall_client.post(f"{MAINTENANCE_URL}add/", data, follow=True)

    assert first.redirect_chain == [(MAINTENANCE_URL, 302)]
    maintenance = Incident.objects.get()
    assert second.redirect_chain == [(f"{MAINTENANCE_URL}{maintenance.pk}/change/", 302)]
    assert messages_of(second) == [ALREADY_POSTED]
    assert (IncidentUpdate.objects.count(), Notification.objects.count()) == (1, 1)


def test_a_post_mortem_published_twice_is_published_once(client, oncall):
    incident = hand_built_incident(make_components())
    postmortem = services.start_postmortem(incident=incident, actor=oncall)
    services.edit_postmortem(
        postmortem=postmortem, actor=oncall, notify_subscribers=True, **COMPLETE_SECTIONS
    )
    services.submit_for_review(postmortem=postmortem, actor=oncall)
    reviewer = UserFactory(username="kenji")
    reviewer.groups.add(Group.objects.get(name="On-call"))
    services.sign_off_review(postmortem=postmortem, reviewer=reviewer)
    client.force_login(reviewer)
    url = f"/admin/incidents/postmortem/{postmortem.pk}/change/"
    data = form_data(client.get(url), "postmortem_form") | {"step": "publish"}

    first = client.post(url, data, follow=True)
    second = client.post(url, data, follow=True)

    assert first.redirect_chain == [("/admin/incidents/postmortem/", 302)]
    assert second.redirect_chain == [(url, 302)]
    assert messages_of(second) == [ALREADY_POSTED]
    assert PostMortem.objects.get().status == "published"
    assert Notification.objects.filter(kind="postmortem_published").count() == 1


def test_a_form_sent_back_with_errors_keeps_its_key_for_the_corrected_one(
    oncall_client, components
):
    data = declare_form(oncall_client, components)

    rejected = oncall_client.post(DECLARE_URL, data | {"body": ""})
    again = form_data(rejected, "incident_form")
    posted = oncall_client.post(DECLARE_URL, again | {"body": "Investigating."}, follow=True)
    repeated = oncall_client.post(DECLARE_URL, again | {"body": "Investigating."}, follow=True)

    assert form_errors(rejected) == {"body": ["This field is required."]}
    assert again[SUBMISSION_FIELD] == data[SUBMISSION_FIELD]
    assert posted.redirect_chain == [(change_url(Incident.objects.get()), 302)]
    assert messages_of(repeated) == [ALREADY_POSTED]


def test_the_same_form_sent_back_with_other_content_posts_nothing(oncall_client, components):
    data = declare_form(oncall_client, components)
    oncall_client.post(DECLARE_URL, data, follow=True)

    edited = oncall_client.post(DECLARE_URL, data | {"name": "API and web are down"}, follow=True)

    assert edited.redirect_chain == [(change_url(Incident.objects.get()), 302)]
    assert messages_of(edited) == [ALREADY_POSTED_OTHER]
    assert list(Incident.objects.values_list("name", flat=True)) == ["API is down"]


def test_each_page_load_gives_a_new_key(oncall_client, components):
    first = declare_form(oncall_client, components)
    second = declare_form(oncall_client, components) | {"name": "Web is slow"}

    oncall_client.post(DECLARE_URL, first)
    response = oncall_client.post(DECLARE_URL, second)

    assert first[SUBMISSION_FIELD] != second[SUBMISSION_FIELD]
    assert response.status_code == 302
    assert Incident.objects.count() == 2


@time_machine.travel(datetime(2026, 12, 4, 9, 0, tzinfo=UTC), tick=False)  # "0 s ago" exactly
def test_back_and_resubmit_on_a_page_fetched_again_declares_once(oncall_client, components):
    """The page is fetched again (no cache may keep it), so its key is new; the browser fills
    in the same words: the repeat is refused on the form, and nothing is written or sent."""
    oncall_client.post(DECLARE_URL, declare_form(oncall_client, components))

    response = oncall_client.post(DECLARE_URL, declare_form(oncall_client, components))

    assert response.status_code == 200
    assert form_errors(response) == {
        "name": [
            "“API is down” was declared 0 s ago with this same text; it was not declared again. "
            "To declare another, give it another name or text."
        ]
    }
    assert (Incident.objects.count(), IncidentUpdate.objects.count()) == (1, 1)
    assert Notification.objects.count() == 1


@time_machine.travel(datetime(2026, 12, 4, 9, 0, tzinfo=UTC), tick=False)  # "0 s ago" exactly
def test_an_update_resubmitted_from_a_page_fetched_again_posts_once(oncall_client, components):
    incident = services.declare_incident(name="API is down", body="Investigating.")

    def update_form() -> dict:
        data = form_data(oncall_client.get(change_url(incident)), "incident_form")
        return data | {"update_status": "identified", "update_body": "A bad deploy."}

    oncall_client.post(change_url(incident), update_form())
    response = oncall_client.post(change_url(incident), update_form())

    assert response.status_code == 200
    assert form_errors(response) == {
        "update_body": [
            "This update was posted 0 s ago; it was not posted again. Change its status or "
            "text to post another."
        ]
    }
    assert list(incident.updates.values_list("status", flat=True)) == [
        "identified",
        "investigating",
    ]
    assert Notification.objects.filter(update__status="identified").count() == 1


def test_keys_belong_to_their_user(client, oncall, components):
    data = declare_form(client.force_login(oncall) or client, components)
    client.post(DECLARE_URL, data)
    other = UserFactory(username="kenji")
    other.groups.add(Group.objects.get(name="On-call"))
    client.force_login(other)

    # Another incident under the same key (the same words would be refused as a repeat).
    response = client.post(DECLARE_URL, data | {"name": "Web is slow"})

    assert response.status_code == 302
    assert Incident.objects.count() == 2
    assert sorted(IdempotencyKey.objects.values_list("owner", flat=True)) == [
        f"user:{oncall.pk}",
        f"user:{other.pk}",
    ]
