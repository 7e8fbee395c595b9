"""The console's post-mortem screens: start one, write it, submit it, have someone else sign it
off, publish — with its timeline edited inline; and every rejection writing nothing.

Forms are filled as a browser fills them (tests/incidents/test_admin.py: form_data)."""

import pytest
from django.contrib.auth.models import Group

from incidents import services
from incidents.models import AuditEntry, Incident, PostMortem, PostMortemTimelineEntry
from tests.factories import UserFactory
from tests.incidents.postmortem_data import COMPLETE_SECTIONS, hand_built_incident, make_components
from tests.incidents.test_admin import form_data

pytestmark = pytest.mark.django_db

POSTMORTEMS_URL = "/admin/incidents/postmortem/"


@pytest.fixture
def incident():
    return hand_built_incident(make_components())


@pytest.fixture
def reviewer(db):
    user = UserFactory(username="kenji")
    user.groups.add(Group.objects.get(name="On-call"))
    return user


def change_url(postmortem: PostMortem) -> str:
    return f"{POSTMORTEMS_URL}{postmortem.pk}/change/"


def errors(response) -> list:
    context = response.context
    return [*context["adminform"].form.errors.items(), *context["inline_admin_formsets"]]


def row_counts() -> dict[str, int]:
    models = (PostMortem, PostMortemTimelineEntry, AuditEntry)
    return {model.__name__: model.objects.count() for model in models}


def start_through_admin(client, incident) -> PostMortem:
    add_url = f"{POSTMORTEMS_URL}add/?incident={incident.pk}"
    data = form_data(client.get(add_url), "postmortem_form")
    assert data["incident"] == str(incident.pk)  # preselected from the incident page's link
    response = client.post(f"{POSTMORTEMS_URL}add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return PostMortem.objects.get()


def save(client, postmortem, **changes):
    data = form_data(client.get(change_url(postmortem)), "postmortem_form") | changes
    return client.post(change_url(postmortem), data)


def test_write_review_and_publish_from_the_console(client, oncall, reviewer, incident):
    client.force_login(oncall)
    postmortem = start_through_admin(client, incident)
    assert postmortem.timeline_entries.count() == 5

    response = save(client, postmortem, **COMPLETE_SECTIONS, step="submit")
    assert response.status_code == 302
    postmortem.refresh_from_db()
    assert (postmortem.status, postmortem.summary, postmortem.submitted_by) == (
        "in_review",
        COMPLETE_SECTIONS["summary"],
        oncall,
    )

    client.force_login(reviewer)
    page = client.get(change_url(postmortem)).content.decode()
    assert "Time to resolve" in page and "1 h 20 min" in page  # the computed figures
    assert "A bad deploy." in page  # the incident's timeline beside the form
    assert save(client, postmortem, step="sign_off").status_code == 302
    assert save(client, postmortem, step="publish").status_code == 302

    postmortem.refresh_from_db()
    incident.refresh_from_db()
    assert (postmortem.status, postmortem.reviewed_by, incident.status) == (
        "published",
        reviewer,
        "postmortem",
    )
    page = client.get(change_url(postmortem)).content.decode()
    assert f'href="/incidents/{incident.public_id}/postmortem"' in page


def test_the_submitter_cannot_sign_off_in_the_console(client, oncall, incident):
    client.force_login(oncall)
    postmortem = start_through_admin(client, incident)
    save(client, postmortem, **COMPLETE_SECTIONS, step="submit")
    before = row_counts()

    response = save(client, postmortem, lessons="Stage every change.", step="sign_off")

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "You submitted this post-mortem for review; someone else must sign it off."
    ]
    assert row_counts() == before
    postmortem.refresh_from_db()
    assert (postmortem.status, postmortem.reviewed_by, postmortem.lessons) == (
        "in_review",
        None,
        "",
    )


def test_submitting_an_incomplete_draft_shows_the_missing_sections(client, oncall, incident):
    client.force_login(oncall)
    postmortem = start_through_admin(client, incident)

    response = save(client, postmortem, summary="Only a summary.", step="submit")

    form = response.context["adminform"].form
    assert form.errors["root_cause"] == ["Write the root cause before submitting for review."]
    postmortem.refresh_from_db()
    assert (postmortem.status, postmortem.summary) == ("draft", "")


def test_timeline_entries_are_edited_inline(client, oncall, incident):
    client.force_login(oncall)
    postmortem = start_through_admin(client, incident)
    data = form_data(client.get(change_url(postmortem)), "postmortem_form")
    entries = list(postmortem.timeline_entries.order_by("occurred_at"))
    first, last = entries[0], entries[4]
    assert data["timeline_entries-TOTAL_FORMS"] == "6"  # five entries and an empty row
    data |= {
        "timeline_entries-0-text": "The monitor flagged API errors.",
        "timeline_entries-4-DELETE": "on",
        "timeline_entries-5-occurred_at_0": "2026-03-10",
        "timeline_entries-5-occurred_at_1": "10:05:00",
        "timeline_entries-5-text": "The on-call engineer was paged.",
    }

    response = client.post(change_url(postmortem), data)

    assert response.status_code == 302, errors(response)
    texts = list(postmortem.timeline_entries.order_by("occurred_at").values_list("text", flat=True))
    assert texts[:2] == ["The monitor flagged API errors.", "The on-call engineer was paged."]
    assert len(texts) == 5
    assert not PostMortemTimelineEntry.objects.filter(pk=last.pk).exists()
    first.refresh_from_db()
    assert first.text == "The monitor flagged API errors."


def test_a_rejected_inline_row_undoes_the_whole_save(client, oncall, incident):
    client.force_login(oncall)
    postmortem = start_through_admin(client, incident)
    data = form_data(client.get(change_url(postmortem)), "postmortem_form")
    data |= {
        "summary": "Written while an entry was wrong.",
        "timeline_entries-0-text": "Changed too.",
        "timeline_entries-5-occurred_at_0": "2099-01-01",
        "timeline_entries-5-occurred_at_1": "10:00:00",
        "timeline_entries-5-text": "From the future.",
    }
    before = row_counts()

    response = client.post(change_url(postmortem), data)

    assert response.status_code == 200
    (inline,) = response.context["inline_admin_formsets"]
    assert inline.formset.errors[5] == {"occurred_at": ["The time can't be in the future."]}
    assert row_counts() == before
    postmortem.refresh_from_db()
    assert postmortem.summary == ""
    assert "Changed too." not in postmortem.timeline_entries.values_list("text", flat=True)


def test_a_published_post_mortem_is_read_only_but_can_be_unpublished(
    client, oncall, reviewer, incident
):
    postmortem = services.start_postmortem(incident=incident, actor=oncall)
    services.edit_postmortem(postmortem=postmortem, **COMPLETE_SECTIONS)
    services.submit_for_review(postmortem=postmortem, actor=oncall)
    services.sign_off_review(postmortem=postmortem, reviewer=reviewer)
    services.publish_postmortem(postmortem=postmortem, actor=reviewer)
    client.force_login(oncall)

    page = client.get(change_url(postmortem)).content.decode()
    assert 'name="summary"' not in page
    assert 'name="timeline_entries-0-text"' not in page
    response = save(client, postmortem, step="unpublish")

    assert response.status_code == 302
    postmortem.refresh_from_db()
    assert (postmortem.status, Incident.objects.get().status) == ("draft", "resolved")


def test_only_resolved_incidents_without_one_are_offered(client, oncall, incident):
    services.declare_incident(name="Still open", body="Investigating.")
    client.force_login(oncall)

    response = client.get(f"{POSTMORTEMS_URL}add/")

    choices = [label for _, label in response.context["adminform"].form.fields["incident"].choices]
    assert choices == ["---------", "API errors"]


def test_the_incident_page_links_to_its_post_mortem(client, oncall, incident):
    client.force_login(oncall)
    page = client.get(f"/admin/incidents/incident/{incident.pk}/change/").content.decode()
    assert f"/admin/incidents/postmortem/add/?incident={incident.pk}" in page

    postmortem = services.start_postmortem(incident=incident)
    page = client.get(f"/admin/incidents/incident/{incident.pk}/change/").content.decode()
    assert f"/admin/incidents/postmortem/{postmortem.pk}/change/" in page
    assert "Post-mortem (Draft)" in page


def test_a_viewer_reads_but_does_not_write(client, viewer, incident):
    postmortem = services.start_postmortem(incident=incident)
    client.force_login(viewer)

    assert client.get(change_url(postmortem)).status_code == 200
    assert client.get(f"{POSTMORTEMS_URL}add/").status_code == 403
    before = row_counts()
    response = client.post(change_url(postmortem), {"summary": "x", "step": "submit"})
    assert response.status_code == 403
    assert row_counts() == before
