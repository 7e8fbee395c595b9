"""The reminder that an open incident has had no public update for a while (notify.update_reminders
sends it): an e-mail to one console member in their language, and the team's Slack post."""

from datetime import datetime, tzinfo

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from incidents import selectors
from incidents.reliability import duration_text
from incidents.selectors import SilentIncident
from notify.channels.mime import EmailContent, PreparedEmail
from notify.channels.slack import SlackMessage, escape, link


def console_link(silent: SilentIncident) -> str:
    """The incident's page in the console, where the update is posted."""
    return settings.SITE_URL + reverse("admin:incidents_incident_change", args=[silent.incident.pk])


def page_time(moment: datetime, zone: tzinfo) -> str:
    """A moment as the page's zone writes it: "2026-03-10 10:12 UTC"."""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


def reminder_email(
    silent: SilentIncident, member, *, now: datetime, minutes: int, zone: tzinfo
) -> PreparedEmail:
    """The reminder to `member`, in the language the console last spoke to them in: which
    incident, how long since its last public update, and the console link to post one (text
    only, no unsubscribing: it stops when the incident is updated or resolved)."""
    language = selectors.member_language(member)
    name = selectors.localized(silent.incident, "name", language)
    with translation.override(language):
        silence = duration_text(silent.silence(now))
        again = ngettext(
            "You are reminded again after every minute of silence, until the incident is "
            "resolved.\n",
            "You are reminded again after every %(minutes)d minutes of silence, until the "
            "incident is resolved.\n",
            minutes,
        ) % {"minutes": minutes}
        text = _(
            "Hello %(name)s,\n\n"
            "The incident “%(incident)s” has had no public update for %(silence)s: the last "
            "one was at %(last)s. Customers are waiting to hear from you. Post an update, "
            "even if only to say the work goes on:\n%(link)s\n\n"
        ) % {
            "name": member.get_full_name() or member.get_username(),
            "incident": name,
            "silence": silence,
            "last": page_time(silent.last_word_at, zone),
            "link": console_link(silent),
        }
        subject = _("No public update for %(silence)s: %(incident)s") % {
            "silence": silence,
            "incident": name,
        }
    return PreparedEmail(EmailContent(subject, text + again, html=""), offer_unsubscribe=False)


def reminder_slack(silent: SilentIncident, *, now: datetime, zone: tzinfo) -> SlackMessage:
    """The reminder posted to the team's Slack channel, in the page's default language."""
    language = settings.LANGUAGE_CODE
    name = selectors.localized(silent.incident, "name", language)
    with translation.override(language):
        silence = duration_text(silent.silence(now))
        summary = _("No public update for %(silence)s: %(incident)s") % {
            "silence": silence,
            "incident": name,
        }
        text = _(
            "%(incident)s has had no public update for %(silence)s (the last at %(last)s). "
            "Customers are waiting to hear from you."
        ) % {
            "incident": "*" + link(console_link(silent), escape(name)) + "*",
            "silence": escape(silence),
            "last": escape(page_time(silent.last_word_at, zone)),
        }
    section = {"type": "section", "text": {"type": "mrkdwn", "text": text}}
    return SlackMessage(text=escape(summary), blocks=(section,))
