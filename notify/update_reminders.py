"""Reminding on-call of an open incident that has had no public update for a whole interval of
the page's reminder minutes: an e-mail to the incident's author and to each member of the
On-call group, in each one's language, through the e-mail channel (its errors classified as
every other message's), and a post to the team's Slack channel when the page names one.

Each interval is claimed before anything is sent (incidents.services.claim_update_reminder:
a conditional UPDATE, committed), so two beats, or a task run again after a killed worker,
remind of it once. A send that fails is logged and not retried: a reminder is never sent
twice, at worst once missed (the next interval brings the next one). Slack is not paced here:
at most one post per open incident and interval reaches the team's webhook.
"""

import logging
from datetime import datetime

from incidents import selectors, services
from incidents.models import PageSettings
from incidents.selectors import SilentIncident
from notify.channels.base import DeliveryError, Envelope
from notify.channels.email import EmailChannel
from notify.channels.slack import SlackChannel
from notify.messages.update_reminder import reminder_email, reminder_slack

logger = logging.getLogger(__name__)


def remind_silent_incidents(*, now: datetime) -> list[str]:
    """Remind on-call of every open incident silent for a whole interval not reminded of yet;
    return their public ids. Nothing when the page's reminder minutes are 0 (turned off)."""
    page = selectors.page_settings()
    minutes = page.update_reminder_minutes
    if minutes <= 0:
        return []
    reminded = []
    email = EmailChannel()
    try:
        for silent in selectors.silent_incidents(now=now, minutes=minutes):
            if services.claim_update_reminder(
                incident=silent.incident, last_word_at=silent.last_word_at, due_at=silent.due_at
            ):
                send_reminders(email, silent, page, now=now)
                reminded.append(silent.incident.public_id)
    finally:
        email.close()
    return reminded


def send_reminders(
    email: EmailChannel, silent: SilentIncident, page: PageSettings, *, now: datetime
) -> None:
    """E-mail each member to remind of a claimed interval, then post to the team's Slack."""
    zone = selectors.time_zone_of(page)
    key = f"noroshi-silence-{silent.incident.public_id}-{silent.due_at:%Y%m%dT%H%M%S}"
    for member in selectors.reminder_recipients(silent.incident):
        message = reminder_email(
            silent, member, now=now, minutes=page.update_reminder_minutes, zone=zone
        )
        envelope = Envelope(
            address=member.email, idempotency_key=f"{key}-{member.pk}", unsubscribe_url=""
        )
        attempt(email, message, envelope, what=f"to member {member.pk}", silent=silent)
    if page.team_slack_webhook_url:
        envelope = Envelope(
            address=page.team_slack_webhook_url, idempotency_key=key, unsubscribe_url=""
        )
        post = reminder_slack(silent, now=now, zone=zone)
        attempt(SlackChannel(), post, envelope, what="to Slack", silent=silent)


def attempt(channel, message, envelope: Envelope, *, what: str, silent: SilentIncident) -> None:
    """Send once; a refusal or a lost send is logged by its class only (a provider's error
    text may carry the address, and a webhook URL is a credential)."""
    try:
        channel.send(message, envelope)
    except DeliveryError as error:
        logger.error(
            "update reminder of incident %s %s not sent: %s",
            silent.incident.public_id,
            what,
            type(error).__name__,
        )
