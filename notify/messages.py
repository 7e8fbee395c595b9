"""Channel-neutral announcements rendered per channel and language, once per batch.

The per-subscriber part of an e-mail (its unsubscribe link) is the placeholder
{unsubscribe_url}, filled in by the channel, so one rendering serves every subscriber who
reads the same language.
"""

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from incidents import selectors
from incidents.rendering import render_markdown
from notify.choices import NotificationKind
from notify.models import Notification

UNSUBSCRIBE_PLACEHOLDER = "{unsubscribe_url}"
# How many of the incident's earlier updates an e-mail repeats, newest first: the storm guard
# folds held updates into the next message, which carries them here.
EARLIER_UPDATES = 5


@dataclass(frozen=True)
class EarlierUpdate:
    status: str
    when: str
    body: str
    body_html: str


@dataclass(frozen=True)
class EmailContent:
    subject: str
    text: str
    html: str


def headline(notification: Notification, language: str) -> str:
    incident = notification.incident
    name = selectors.localized(incident, "name", language)
    if notification.kind == NotificationKind.MAINTENANCE_REMINDER:
        return _("Reminder: %(name)s starts soon") % {"name": name}
    if notification.kind == NotificationKind.POSTMORTEM_PUBLISHED:
        return _("Post-mortem: %(name)s") % {"name": name}
    if notification.update is not None:
        status = notification.update.get_status_display()
        return f"[{status}] {name}"
    return name


def earlier_updates(notification: Notification, language: str) -> list[EarlierUpdate]:
    """The incident's updates before the announced one, newest first (EARLIER_UPDATES at most)."""
    update = notification.update
    if update is None:
        return []
    earlier = update.incident.updates.filter(pk__lt=update.pk).order_by("-display_at", "-id")
    zone = selectors.page_time_zone()
    rows = []
    for row in earlier[:EARLIER_UPDATES]:
        body = selectors.localized(row, "body", language)
        when = timezone.localtime(row.display_at, zone).strftime("%Y-%m-%d %H:%M %Z")
        rows.append(
            EarlierUpdate(
                status=row.get_status_display(),
                when=when,
                body=body,
                body_html=render_markdown(body),
            )
        )
    return rows


def render_email(notification: Notification, language: str) -> EmailContent:
    """The e-mail of a notification in `language` (subject, text and HTML)."""
    page = selectors.page_settings()
    incident = notification.incident
    if incident is None:
        raise ValueError(f"e-mail announces incidents, not {notification.kind}")
    with translation.override(language):
        update = notification.update
        body = selectors.localized(update, "body", language) if update is not None else ""
        context = {
            "page_name": selectors.localized(page, "name", language),
            "headline": headline(notification, language),
            "incident": incident,
            "update": update,
            "body": body,
            "body_html": render_markdown(body),
            "earlier_updates": earlier_updates(notification, language),
            "incident_url": f"{page.url.rstrip('/')}/incidents/{incident.public_id}",
            "unsubscribe_url": UNSUBSCRIBE_PLACEHOLDER,
        }
        subject = f"[{context['page_name']}] {context['headline']}"
        text = render_to_string("notify/email/announcement.txt", context)
        html = render_to_string("notify/email/announcement.html", context)
    return EmailContent(subject=subject[:200], text=text, html=html)
