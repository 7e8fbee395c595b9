"""`manage.py export_incident`: the incident with its updates, post-mortem and actions, as JSON
and as Markdown, for a team's own archive."""

import json
from datetime import date
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from incidents import services
from tests.factories import UserFactory
from tests.incidents.postmortem_data import (
    AFTER,
    COMPLETE_SECTIONS,
    at,
    hand_built_incident,
    make_components,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident():
    with time_machine.travel(AFTER, tick=False):
        incident = hand_built_incident(make_components())
        author = UserFactory(username="aiko", email="aiko@example.com")
        postmortem = services.start_postmortem(incident=incident, actor=author)
        services.edit_postmortem(
            postmortem=postmortem, detected_at=at("10:05"), lessons="Stage it.", **COMPLETE_SECTIONS
        )
        services.submit_for_review(postmortem=postmortem, actor=author)
        services.sign_off_review(postmortem=postmortem, reviewer=UserFactory(username="kenji"))
        services.publish_postmortem(postmortem=postmortem)
        services.create_recovery_action(
            incident=incident,
            title="Canary every deploy",
            kind="prevent",
            owner=author,
            due_on=date(2026, 4, 1),
            public=True,
        )
    return incident


def export(public_id: str, *options: str) -> str:
    out = StringIO()
    call_command("export_incident", public_id, *options, stdout=out)
    return out.getvalue()


def test_json_holds_the_incident_its_post_mortem_and_actions(incident):
    document = json.loads(export(incident.public_id, "--format", "json"))

    assert (document["id"], document["name"], document["status"]) == (
        incident.public_id,
        "API errors",
        "postmortem",
    )
    assert [(u["status"], u["display_at"]) for u in document["updates"]] == [
        ("investigating", "2026-03-10T10:12:00+00:00"),
        ("identified", "2026-03-10T10:30:00+00:00"),
        ("monitoring", "2026-03-10T10:50:00+00:00"),
        ("resolved", "2026-03-10T11:20:00+00:00"),
    ]
    figures = document["key_figures"]
    assert [
        figures[f"time_to_{name}_minutes"]
        for name in ("detect", "acknowledge", "mitigate", "resolve")
    ] == [5.0, 7.0, 50.0, 80.0]
    assert figures["customer_impact"] == [
        {
            "component": "API",
            "major_outage_minutes": 38,
            "partial_outage_minutes": 12,
            "degraded_minutes": 0,
        },
        {
            "component": "Web",
            "major_outage_minutes": 0,
            "partial_outage_minutes": 0,
            "degraded_minutes": 68,
        },
    ]
    postmortem = document["postmortem"]
    assert (postmortem["status"], postmortem["author"], postmortem["reviewed_by"]) == (
        "published",
        "aiko",
        "kenji",
    )
    assert postmortem["sections"]["lessons"] == "Stage it."
    assert postmortem["subscribers_notified"] == 0
    assert len(postmortem["timeline"]) == 5
    (action,) = document["recovery_actions"]
    assert (action["title"], action["owner"], action["due_on"], action["state"]) == (
        "Canary every deploy",
        "aiko",
        "2026-04-01",
        "open",
    )
    assert "aiko@example.com" not in json.dumps(document)


def test_markdown_reads_as_a_document(incident):
    text = export(incident.public_id)

    assert text.startswith(
        "# API errors\n\n- Status: postmortem\n- Impact: major\n"
        "- Started: 2026-03-10 10:12 UTC\n- Resolved: 2026-03-10 11:20 UTC\n"
        "- Components: API, Web\n"
    )
    assert "| time to resolve | 80.0 |" in text
    assert "| API | 38 | 12 | 0 |" in text
    assert (
        "## Post-mortem (published)\n\nReviewed by kenji; published 2026-03-10 15:00 UTC." in text
    )
    assert "### Root cause\n\nA configuration change lowered the connection limit.\n" in text
    assert (
        "- 2026-03-10 10:12 UTC — **Investigating** — API errors.\n\n"
        "  - API: Partial outage → Major outage\n"
        "  - Web: Operational → Degraded performance\n"
    ) in text
    assert text.endswith(
        "| kind | action | owner | due | state | public |\n|---|---|---|---|---|---|\n"
        "| prevent | Canary every deploy | aiko | 2026-04-01 | open | yes |\n"
    )


def test_an_unknown_id_is_an_error(db):
    with pytest.raises(CommandError, match=r"No incident has the id “nope”\."):
        export("nope")


def test_the_export_can_go_to_a_file(incident, tmp_path):
    target = tmp_path / "incident.md"
    assert export(incident.public_id, "--output", str(target)) == ""
    assert target.read_text(encoding="utf-8").startswith("# API errors\n")
