"""The post-mortem lifecycle: start (draft) → submit for review → sign off → publish, back to
draft by unpublishing — and every step it refuses, writing nothing."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from incidents import services
from incidents.models import AuditEntry, Incident, PostMortem, PostMortemTimelineEntry
from tests.factories import UserFactory
from tests.incidents.postmortem_data import (
    AFTER,
    COMPLETE_SECTIONS,
    hand_built_incident,
    make_components,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident():
    return hand_built_incident(make_components())


@pytest.fixture
def author():
    return UserFactory(username="aiko")


@pytest.fixture
def reviewer():
    return UserFactory(username="kenji")


@pytest.fixture
def draft(incident, author):
    postmortem = services.start_postmortem(incident=incident, actor=author)
    return services.edit_postmortem(postmortem=postmortem, actor=author, **COMPLETE_SECTIONS)


@pytest.fixture
def signed_off(draft, author, reviewer):
    services.submit_for_review(postmortem=draft, actor=author)
    return services.sign_off_review(postmortem=draft, reviewer=reviewer)


def row_counts() -> dict[str, int]:
    models = (PostMortem, PostMortemTimelineEntry, AuditEntry)
    return {model.__name__: model.objects.count() for model in models}


def state(postmortem: PostMortem) -> tuple:
    postmortem.refresh_from_db()
    postmortem.incident.refresh_from_db()
    return (
        postmortem.status,
        postmortem.reviewed_by,
        postmortem.published_at is not None,
        postmortem.incident.status,
    )


def rejected(call, **kwargs) -> ValidationError:
    """Run a service that must refuse; return its error after checking nothing was written."""
    before = row_counts()
    with pytest.raises(ValidationError) as caught:
        call(**kwargs)
    assert row_counts() == before
    return caught.value


def test_starting_makes_a_draft_with_a_prefilled_timeline(incident, author):
    postmortem = services.start_postmortem(incident=incident, actor=author)

    assert (postmortem.status, postmortem.author, postmortem.incident) == (
        "draft",
        author,
        incident,
    )
    assert postmortem.timeline_entries.count() == 5
    audit = AuditEntry.objects.get(action="start_postmortem")
    assert (audit.actor, audit.object_id, audit.summary) == (
        author,
        postmortem.public_id,
        "API errors: 5 timeline entries",
    )


def test_an_open_incident_has_no_post_mortem_yet(author):
    components = make_components()
    incident = services.declare_incident(
        name="Slow API",
        body="Investigating.",
        component_statuses={components["API"]: "major_outage"},
    )

    error = rejected(services.start_postmortem, incident=incident, actor=author)

    assert error.messages == ["Resolve the incident before starting its post-mortem."]


def test_a_maintenance_has_no_post_mortem(author):
    maintenance = services.schedule_maintenance(
        name="Upgrade",
        body="Planned.",
        scheduled_for=timezone.now() + timedelta(hours=1),
        scheduled_until=timezone.now() + timedelta(hours=2),
    )

    error = rejected(services.start_postmortem, incident=maintenance, actor=author)

    assert error.messages == ["A scheduled maintenance has no post-mortem."]


def test_starting_twice_is_rejected(draft, author):
    error = rejected(services.start_postmortem, incident=draft.incident, actor=author)

    assert error.messages == ["This incident already has a post-mortem."]


def test_submitting_an_incomplete_draft_names_every_missing_section(incident, author):
    postmortem = services.start_postmortem(incident=incident, actor=author)

    error = rejected(services.submit_for_review, postmortem=postmortem, actor=author)

    assert error.message_dict == {
        "summary": ["Write the summary before submitting for review."],
        "customer_impact": ["Describe the customer impact before submitting for review."],
        "root_cause": ["Write the root cause before submitting for review."],
        "detection_method": ["Say how you learned of the incident before submitting for review."],
    }
    assert state(postmortem) == ("draft", None, False, "resolved")


def test_review_publish_and_unpublish(draft, author, reviewer):
    services.submit_for_review(postmortem=draft, actor=author)
    assert (draft.status, draft.submitted_by) == ("in_review", author)

    services.sign_off_review(postmortem=draft, reviewer=reviewer)
    assert state(draft) == ("in_review", reviewer, False, "resolved")

    with time_machine.travel(AFTER, tick=False):
        services.publish_postmortem(postmortem=draft, actor=reviewer)
    assert state(draft) == ("published", reviewer, True, "postmortem")
    assert draft.published_at == AFTER

    services.unpublish_postmortem(postmortem=draft, actor=author)
    assert state(draft) == ("draft", None, False, "resolved")
    assert draft.submitted_by is None
    actions = list(
        AuditEntry.objects.exclude(object_type="user")
        .order_by("id")
        .values_list("action", "object_type", "summary")
    )
    assert actions[-7:] == [
        ("edit", "postmortem", "summary, customer_impact, root_cause, detection_method"),
        ("submit_for_review", "postmortem", ""),
        ("sign_off_review", "postmortem", ""),
        ("set_status", "incident", "postmortem"),
        ("publish", "postmortem", "API errors"),
        ("set_status", "incident", "resolved"),
        ("unpublish", "postmortem", "API errors"),
    ]


def test_the_submitter_cannot_sign_off_their_own_review(draft, author):
    services.submit_for_review(postmortem=draft, actor=author)

    error = rejected(services.sign_off_review, postmortem=draft, reviewer=author)

    assert error.messages == [
        "You submitted this post-mortem for review; someone else must sign it off."
    ]
    assert state(draft) == ("in_review", None, False, "resolved")


def test_a_sign_off_needs_a_person_and_happens_once(signed_off, reviewer):
    error = rejected(services.sign_off_review, postmortem=signed_off, reviewer=None)
    assert error.messages == ["A review is signed off by a signed-in person."]

    error = rejected(services.sign_off_review, postmortem=signed_off, reviewer=reviewer)
    assert error.messages == ["kenji has already signed this review off."]


def test_only_a_post_mortem_in_review_is_signed_off(draft, reviewer):
    error = rejected(services.sign_off_review, postmortem=draft, reviewer=reviewer)

    assert error.messages == ["Only a post-mortem in review can be signed off."]


def test_publishing_needs_review_and_sign_off(draft, author, reviewer):
    error = rejected(services.publish_postmortem, postmortem=draft, actor=author)
    assert error.messages == [
        "Only a reviewed post-mortem can be published; submit it for review first."
    ]

    services.submit_for_review(postmortem=draft, actor=author)
    error = rejected(services.publish_postmortem, postmortem=draft, actor=author)
    assert error.messages == ["Sign off the review before publishing."]
    assert state(draft) == ("in_review", None, False, "resolved")


def test_publishing_twice_is_rejected(signed_off, reviewer):
    services.publish_postmortem(postmortem=signed_off, actor=reviewer)

    error = rejected(services.publish_postmortem, postmortem=signed_off, actor=reviewer)

    assert error.messages == ["This post-mortem is published already."]


def test_a_reopened_incident_is_resolved_again_before_publishing(signed_off, reviewer):
    services.reopen_incident(incident=signed_off.incident, body="Errors are back.")

    error = rejected(services.publish_postmortem, postmortem=signed_off, actor=reviewer)

    assert error.messages == [
        "The incident is open again; resolve it before publishing its post-mortem."
    ]
    assert state(signed_off) == ("in_review", signed_off.reviewed_by, False, "investigating")


def test_a_published_post_mortem_closes_the_incident_timeline(signed_off, reviewer):
    services.publish_postmortem(postmortem=signed_off, actor=reviewer)
    incident = Incident.objects.get()

    with pytest.raises(ValidationError) as caught:
        services.reopen_incident(incident=incident, body="Errors are back.")
    assert caught.value.messages == ["Only a resolved incident can be reopened."]
    with pytest.raises(ValidationError) as caught:
        services.post_update(incident=incident, status="postmortem", body="Published.")
    assert caught.value.messages == ["This incident is resolved; reopen it to post another update."]


def test_a_published_post_mortem_is_not_edited(signed_off, reviewer):
    services.publish_postmortem(postmortem=signed_off, actor=reviewer)
    entry = signed_off.timeline_entries.first()
    message = ["This post-mortem is published; unpublish it to change it."]

    for call, kwargs in (
        (services.edit_postmortem, {"postmortem": signed_off, "summary": "Changed."}),
        (services.edit_timeline_entry, {"entry": entry, "text": "Changed."}),
        (services.delete_timeline_entry, {"entry": entry}),
        (
            services.add_timeline_entry,
            {"postmortem": signed_off, "occurred_at": timezone.now(), "text": "More."},
        ),
    ):
        assert rejected(call, **kwargs).messages == message, call.__name__


def test_an_edit_in_review_withdraws_the_sign_off(signed_off, author):
    services.edit_postmortem(postmortem=signed_off, actor=author, lessons="Test the rollback.")

    assert state(signed_off) == ("in_review", None, False, "resolved")
    assert signed_off.lessons == "Test the rollback."


def test_sending_back_to_draft_clears_the_submission(signed_off, reviewer):
    services.return_to_draft(postmortem=signed_off, actor=reviewer)

    assert state(signed_off) == ("draft", None, False, "resolved")
    assert (signed_off.submitted_by, signed_off.submitted_at) == (None, None)


def test_an_unchanged_edit_writes_nothing(draft, author):
    before = row_counts()
    services.edit_postmortem(postmortem=draft, actor=author, summary=draft.summary + "  ")
    assert row_counts() == before


def test_recorded_times_must_be_aware_and_not_after_the_declaration(draft, author):
    late = draft.incident.started_at + timedelta(minutes=1)

    error = rejected(services.edit_postmortem, postmortem=draft, actor=author, detected_at=late)
    assert error.message_dict == {
        "detected_at": [
            "This is after the incident was declared (2026-03-10 10:12 UTC); leave it empty "
            "if it was then."
        ]
    }
    naive = late.replace(tzinfo=None)
    error = rejected(
        services.edit_postmortem, postmortem=draft, actor=author, impact_started_at=naive
    )
    assert error.message_dict == {"impact_started_at": ["The time needs a time zone."]}
    error = rejected(
        services.edit_postmortem, postmortem=draft, actor=author, detection_method="pager"
    )
    assert error.message_dict == {
        "detection_method": [
            "“pager” is not a way of learning of an incident; use one of monitoring, "
            "customer_report, internal, other, or leave it empty."
        ]
    }


def test_unknown_fields_are_a_programming_error(draft):
    with pytest.raises(TypeError, match=r"unexpected fields: \['status'\]"):
        services.edit_postmortem(postmortem=draft, status="published")


def test_timeline_entries_are_added_edited_and_removed(draft, author):
    moment = draft.incident.started_at - timedelta(minutes=3)

    entry = services.add_timeline_entry(
        postmortem=draft, occurred_at=moment, text=" Pager went off. ", actor=author
    )
    services.edit_timeline_entry(entry=entry, text="The pager went off.", text_ja="呼び出し。")
    entry.refresh_from_db()
    assert (entry.occurred_at, entry.text, entry.text_ja) == (
        moment,
        "The pager went off.",
        "呼び出し。",
    )
    # Between the monitor's change at 10:00 and the declaration at 10:12.
    assert list(draft.timeline_entries.order_by("occurred_at", "id"))[1] == entry

    services.delete_timeline_entry(entry=entry, actor=author)
    assert draft.timeline_entries.count() == 5
    assert list(
        AuditEntry.objects.filter(action__endswith="timeline_entry").values_list(
            "action", flat=True
        )
    ) == ["delete_timeline_entry", "edit_timeline_entry", "add_timeline_entry"]


def test_a_timeline_entry_needs_a_time_and_text(draft):
    now = timezone.now()
    cases = [
        ({"occurred_at": None, "text": "x"}, {"occurred_at": ["This field is required."]}),
        ({"occurred_at": now, "text": "  "}, {"text": ["This field is required."]}),
        (
            {"occurred_at": now.replace(tzinfo=None), "text": "x"},
            {"occurred_at": ["The time needs a time zone."]},
        ),
        (
            {"occurred_at": now + timedelta(hours=1), "text": "x"},
            {"occurred_at": ["The time can't be in the future."]},
        ),
    ]
    for kwargs, expected in cases:
        error = rejected(services.add_timeline_entry, postmortem=draft, **kwargs)
        assert error.message_dict == expected, kwargs


def test_publishing_announces_only_when_asked(signed_off, reviewer, monkeypatch):
    announced = []
    monkeypatch.setattr(
        "incidents.services.postmortems.announce_postmortem_published", announced.append
    )
    services.publish_postmortem(postmortem=signed_off, actor=reviewer)
    assert announced == []

    services.unpublish_postmortem(postmortem=signed_off, actor=reviewer)
    services.edit_postmortem(postmortem=signed_off, notify_subscribers=True)
    services.submit_for_review(postmortem=signed_off, actor=reviewer)
    services.sign_off_review(postmortem=signed_off, reviewer=UserFactory(username="mei"))
    services.publish_postmortem(postmortem=signed_off, actor=reviewer)
    assert [p.pk for p in announced] == [signed_off.pk]
