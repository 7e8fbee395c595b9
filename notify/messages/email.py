"""An announcement's e-mail: subject, text and HTML, encoded once for every subscriber who
reads its language (notify.channels.mime.PreparedEmail)."""

from django.template.loader import render_to_string
from django.utils import translation

from incidents.rendering import render_markdown
from notify.channels.base import UNSUBSCRIBE_PLACEHOLDER
from notify.channels.mime import EmailContent, PreparedEmail
from notify.messages import Announcement


def content(announcement: Announcement) -> EmailContent:
    """The e-mail of an announcement (subject, text and HTML), its unsubscribe link a
    placeholder."""
    incident = announcement.incident
    with translation.override(announcement.language):
        update = announcement.notification.update
        context = {
            "page_name": announcement.page_name,
            "headline": announcement.headline,
            "incident": incident,
            "update": update,
            "body": announcement.body,
            "body_html": render_markdown(announcement.body),
            "when": announcement.when,
            "when_iso": announcement.moment.astimezone(announcement.zone).isoformat("T", "minutes"),
            "components": announcement.components,
            "earlier_updates": announcement.earlier,
            "incident_url": announcement.incident_url,
            "unsubscribe_url": UNSUBSCRIBE_PLACEHOLDER,
        }
        subject = f"[{context['page_name']}] {context['headline']}"
        text = render_to_string("notify/email/announcement.txt", context)
        html = render_to_string("notify/email/announcement.html", context)
    return EmailContent(subject=subject[:200], text=text, html=html)


def render(announcement: Announcement) -> PreparedEmail:
    return PreparedEmail(content(announcement))
