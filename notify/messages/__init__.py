"""What a notification says, in one language, whatever the channel; each channel's module here
renders it: email, sms, slack, webhook (rendering.message_for picks one). answers renders the
answer to a sign-up, chase the reminder of an overdue recovery action.

An announcement is built once per (notification, language) in a batch and rendered once per
channel: a rendering serves every subscriber who reads that language, their own parts (the
unsubscribe and manage links) left as placeholders that the channel fills in at send.
"""

from dataclasses import dataclass
from functools import cached_property

from django.utils import timezone
from django.utils.translation import gettext as _

from incidents import selectors
from incidents.models import Incident, PageSettings
from incidents.rendering import render_markdown
from notify.choices import NotificationKind
from notify.models import Notification

# How many of the incident's earlier updates a message repeats, newest first: the storm guard
# folds held updates into the next message, which carries them here.
EARLIER_UPDATES = 5


@dataclass(frozen=True)
class EarlierUpdate:
    status: str
    when: str
    body: str
    body_html: str


class Announcement:
    """A notification in one language: what every channel's message is made of. Each part is
    read when a channel first asks for it, so that a channel pays only for what it shows."""

    def __init__(self, notification: Notification, language: str):
        self.notification = notification
        self.language = language

    @property
    def incident(self) -> Incident:
        """The incident announced; ValueError for a notification of none (a component's
        status, which only webhooks carry)."""
        if self.notification.incident is None:
            raise ValueError(f"a {self.notification.kind} notification announces no incident")
        return self.notification.incident

    @cached_property
    def page(self) -> PageSettings:
        return selectors.page_settings()

    @cached_property
    def page_name(self) -> str:
        return selectors.localized(self.page, "name", self.language)

    @cached_property
    def headline(self) -> str:
        """E.g. "[Investigating] API errors", in the language active when first read."""
        return headline(self.notification, self.language)

    @cached_property
    def body(self) -> str:
        """The announced update's Markdown in the language ('' without an update)."""
        update = self.notification.update
        return selectors.localized(update, "body", self.language) if update is not None else ""

    @property
    def incident_url(self) -> str:
        return f"{self.page.url.rstrip('/')}/incidents/{self.incident.public_id}"

    @cached_property
    def earlier(self) -> list[EarlierUpdate]:
        return earlier_updates(self.notification, self.language)


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
