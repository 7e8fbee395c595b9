"""The console's "Edit text" of a posted update: On-call corrects the English and Japanese text
from the incident's (or maintenance's) page, once per form, notifying nobody; a Viewer may
not; a bad text writes nothing.

Forms are filled as a browser fills them (tests/incidents/test_admin.py: form_data)."""

import pytest

from incidents import services
from incidents.admin.once import ALREADY_POSTED, SUBMISSION_FIELD
from incidents.admin.update_edits import EDITED, UNCHANGED
from incidents.models import AuditEntry, IdempotencyKey, IncidentUpdate
from notify.models import Notification
from tests.incidents.test_admin import change_url, form_data
from tests.incidents.test_admin_maintenance import MAINTENANCE_URL
from tests.incidents.test_update_edits import scheduled_upgrade
from tests.statuspage.page_html import parse

pytestmark = pytest.mark.django_db

FORM = "update_text_form"


@pytest.fixture
def incident(components):
    incident = services.declare_incident(
        name="API errors",
        body="We are investigating erors.",
        component_statuses={components["API"]: "major_outage"},
    )
    services.post_update(incident=incident, status="identified", body="A bad deploy.")
    return incident


def edit_url(incident, update, admin="incident") -> str:
    return f"/admin/incidents/{admin}/{incident.pk}/updates/{update.public_id}/edit/"


def first_update(incident) -> IncidentUpdate:
    return incident.updates.get(status="investigating")


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def edits() -> int:
    return AuditEntry.objects.filter(action="edit_update_text").count()


def test_each_posted_update_has_an_edit_link_for_on_call(client, oncall, incident):
    client.force_login(oncall)

    document = parse(client.get(change_url(incident)).content)

    links = [a.attrs["href"] for a in document.find_all("a", cls="edit-update-text")]
    assert links == [edit_url(incident, u) for u in incident.updates.order_by("-display_at")]


def test_on_call_corrects_an_update_s_text_and_nobody_is_notified(client, oncall, incident):
    client.force_login(oncall)
    update = first_update(incident)
    notifications = Notification.objects.count()
    data = form_data(client.get(edit_url(incident, update)), FORM)
    assert (data["body"], data["body_ja"]) == ("We are investigating erors.", "")

    response = client.post(
        edit_url(incident, update),
        data | {"body": "We are investigating errors.", "body_ja": "エラーを調査しています。"},
        follow=True,
    )

    assert response.redirect_chain == [(change_url(incident), 302)]
    assert messages_of(response) == [EDITED]
    update.refresh_from_db()
    assert (update.body, update.body_ja) == (
        "We are investigating errors.",
        "エラーを調査しています。",
    )
    assert update.edited_at is not None
    assert Notification.objects.count() == notifications
    marks = parse(response.content).find_all("div", cls="update-edited")
    assert [(m.text().split()[0], m.find("time").attrs["datetime"]) for m in marks] == [
        ("edited", update.edited_at.isoformat())
    ]


def test_the_form_sent_twice_edits_once(client, oncall, incident):
    client.force_login(oncall)
    update = first_update(incident)
    data = form_data(client.get(edit_url(incident, update)), FORM)
    data |= {"body": "We are investigating errors."}

    first = client.post(edit_url(incident, update), data, follow=True)
    again = client.post(edit_url(incident, update), data, follow=True)

    assert messages_of(first) == [EDITED]
    assert again.redirect_chain == [(change_url(incident), 302)]
    assert messages_of(again) == [ALREADY_POSTED]
    assert edits() == 1
    claim = IdempotencyKey.objects.get(key=data[SUBMISSION_FIELD])
    assert (claim.result_type, claim.result_id) == ("incidents.incident", str(incident.pk))


def test_an_empty_text_is_refused_and_nothing_is_written(client, oncall, incident):
    client.force_login(oncall)
    update = first_update(incident)
    data = form_data(client.get(edit_url(incident, update)), FORM)

    response = client.post(edit_url(incident, update), data | {"body": "   "})

    assert response.status_code == 200
    assert response.context["form"].errors == {"body": ["This field is required."]}
    update.refresh_from_db()
    assert (update.body, update.edited_at) == ("We are investigating erors.", None)
    assert edits() == 0
    # The submission wrote nothing, so its key is free: the page renders it again.
    assert not IdempotencyKey.objects.exists()
    assert form_data(response, FORM)[SUBMISSION_FIELD] == data[SUBMISSION_FIELD]


def test_an_unchanged_text_saves_nothing(client, oncall, incident):
    client.force_login(oncall)
    update = first_update(incident)
    data = form_data(client.get(edit_url(incident, update)), FORM)

    response = client.post(edit_url(incident, update), data, follow=True)

    assert messages_of(response) == [UNCHANGED]
    update.refresh_from_db()
    assert update.edited_at is None
    assert edits() == 0


def test_a_viewer_sees_no_edit_link_and_is_refused(client, viewer, incident):
    client.force_login(viewer)
    update = first_update(incident)

    page = parse(client.get(change_url(incident)).content)
    form = client.get(edit_url(incident, update))
    posted = client.post(edit_url(incident, update), {"body": "Changed.", "body_ja": ""})

    assert page.find_all("a", cls="edit-update-text") == []
    assert (form.status_code, posted.status_code) == (403, 403)
    update.refresh_from_db()
    assert update.body == "We are investigating erors."
    assert edits() == 0


def test_an_update_of_another_incident_or_screen_is_not_found(client, oncall, incident):
    client.force_login(oncall)
    other = services.declare_incident(name="Web errors", body="Looking.")
    update = first_update(incident)

    assert client.get(edit_url(other, update)).status_code == 404
    assert client.get(edit_url(incident, update, admin="scheduledmaintenance")).status_code == 404
    assert client.get(
        f"/admin/incidents/incident/{incident.pk}/updates/nope/edit/"
    ).status_code == (404)


def test_on_call_corrects_a_maintenance_update(client, oncall, components):
    client.force_login(oncall)
    maintenance = scheduled_upgrade(components["Database"])
    update = maintenance.updates.get()
    url = edit_url(maintenance, update, admin="scheduledmaintenance")
    page = parse(client.get(f"{MAINTENANCE_URL}{maintenance.pk}/change/").content)
    assert [a.attrs["href"] for a in page.find_all("a", cls="edit-update-text")] == [url]

    data = form_data(client.get(url), FORM) | {"body": "We will upgrade the database."}
    response = client.post(url, data)

    assert response.status_code == 302
    assert response["Location"] == f"{MAINTENANCE_URL}{maintenance.pk}/change/"
    update.refresh_from_db()
    assert update.body == "We will upgrade the database."


def test_the_edit_form_in_japanese(client, oncall, incident):
    client.force_login(oncall)
    update = first_update(incident)

    page = parse(client.get(change_url(incident), HTTP_ACCEPT_LANGUAGE="ja").content)
    form = parse(client.get(edit_url(incident, update), HTTP_ACCEPT_LANGUAGE="ja").content)

    assert {a.text() for a in page.find_all("a", cls="edit-update-text")} == {"本文を編集"}
    assert form.find("input", type="submit").attrs["value"] == "訂正した本文を保存"
    assert [label.text() for label in form.find("form", id=FORM).find_all("label")] == [
        "メッセージ:",
        "メッセージ（日本語）:",
    ]


def test_an_empty_text_from_a_superuser_is_shown_again_with_its_error(admin_client, incident):
    # The page is read after the rollback: a superuser's menu reads the database (page settings).
    update = first_update(incident)
    data = form_data(admin_client.get(edit_url(incident, update)), FORM)

    response = admin_client.post(edit_url(incident, update), data | {"body": ""})

    assert response.status_code == 200
    assert response.context["form"].errors == {"body": ["This field is required."]}
    assert edits() == 0
