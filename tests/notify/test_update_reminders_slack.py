"""Update reminders in the team's Slack channel, against a real HTTPS receiver standing in for
hooks.slack.com: one post per interval beside the e-mails, its text made inert, a refusal
logged (never the URL) and not retried."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings

from incidents import services
from incidents.models import Incident
from notify import tasks
from tests.webhook_receiver import status

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)
PATH = "/services/T0001/B0001/teamSecret42"


@pytest.fixture
def team_channel(webhook_receiver):
    """The receiver's PATH as the page's team Slack webhook (checked as any would be)."""
    services.edit_page_settings(team_slack_webhook_url=webhook_receiver.url(PATH))
    return webhook_receiver


def declare(name: str = "API errors") -> Incident:
    with time_machine.travel(T0, tick=False):
        return services.declare_incident(
            name=name, body="Investigating.", deliver_notifications=False
        )


def beat(minutes: float) -> list[str]:
    with time_machine.travel(T0 + timedelta(minutes=minutes), tick=False):
        return tasks.remind_silent_incidents.apply().get()


def test_each_interval_is_posted_to_the_team_s_channel_once(team_channel, oncall, mailoutbox):
    incident = declare()

    assert [beat(m) for m in (29, 30, 31, 59)] == [[], [incident.public_id], [], []]

    [request] = team_channel.received(PATH)
    link = f"{settings.SITE_URL}/admin/incidents/incident/{incident.pk}/change/"
    assert request.json() == {
        "text": "No public update for 30 min: API errors",
        "blocks": [
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f"*<{link}|API errors>* has had no public update for 30 min (the "
                    "last at 2026-03-10 10:00 UTC). Customers are waiting to hear from you.",
                },
            }
        ],
    }
    assert [m.to for m in mailoutbox] == [["oncall@example.com"]]


def test_an_incident_name_cannot_ping_the_channel(team_channel):
    declare(name="<!channel> API & web")

    beat(30)

    [request] = team_channel.received(PATH)
    posted = request.json()
    assert posted["text"] == "No public update for 30 min: &lt;!channel&gt; API &amp; web"
    assert "|&lt;!channel&gt; API &amp; web>*" in posted["blocks"][0]["text"]["text"]


def test_a_refused_post_is_logged_without_its_url_and_not_retried(
    team_channel, oncall, mailoutbox, caplog
):
    incident = declare()
    team_channel.plan(PATH, status(404, b"no_service"))

    assert beat(30) == [incident.public_id]
    assert beat(31) == []

    assert len(team_channel.received(PATH)) == 1
    assert len(mailoutbox) == 1  # the e-mail went all the same
    failures = [r.getMessage() for r in caplog.records if r.name == "notify.update_reminders"]
    assert failures == [
        f"update reminder of incident {incident.public_id} to Slack not sent: PermanentError"
    ]
    assert "teamSecret42" not in caplog.text


def test_without_a_team_webhook_nothing_is_posted(webhook_receiver, oncall, mailoutbox):
    declare()

    beat(30)

    assert webhook_receiver.received() == []
    assert len(mailoutbox) == 1
