"""What a notification says, in one language, whatever the channel; each channel's module here
renders it: email, sms, slack, webhook (rendering.message_for picks one). answers renders the
answer to a sign-up, chase the reminder of an overdue recovery action.

Every message says when (the update's time in the page's zone, with its abbreviation) and,
for an update that set component statuses, which components and how (old → new where it
changed), in the subscriber's language: Announcement.when and Announcement.components.

An announcement is built once per (notification, language) in a batch and rendered once per
channel: a rendering serves every subscriber who reads that language, their own parts (the
unsubscribe and manage links) left as placeholders that the channel fills in at send.
"""

import zoneinfo
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from django.utils import translation
from django.utils.translation import gettext as _

from incidents import representations, selectors
from incidents.choices import ComponentStatus
from incidents.models import Incident, PageSettings
from incidents.rendering import render_markdown
from notify.choices import NotificationKind
from notify.models import Notification
from statuspage.page_frame import utc_offset

# How many of the incident's earlier updates a message repeats, newest first: the storm guard
# folds held updates into the next message, which carries them here.
EARLIER_UPDATES = 5


# Month abbreviations as English dates write them ("Dec 5, 2026"), whatever the process locale.
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class ComponentChange:
    """The status the announced update gave one component, in the announcement's language."""

    name: str  # "Group - Component" for a grouped one, as Statuspage names it
    old_status: str  # the status's label
    new_status: str
    changed: bool  # False when the update kept the status the component had

    @property
    def line(self) -> str:
        """E.g. "API: Partial outage → Operational", or "API: Operational" when it stayed."""
        if self.changed:
            return f"{self.name}: {self.old_status} → {self.new_status}"
        return f"{self.name}: {self.new_status}"


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
    def zone(self) -> zoneinfo.ZoneInfo:
        return selectors.time_zone_of(self.page)

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
    def moment(self) -> datetime:
        """When what is announced happened: the update's time as the page shows it, the
        component's change, or else (a reminder, a post-mortem) the notification's."""
        notification = self.notification
        if notification.update is not None:
            return notification.update.display_at
        if notification.component_change is not None:
            return notification.component_change.created_at
        return notification.created_at

    @cached_property
    def when(self) -> str:
        """The moment in the page's zone, e.g. "Dec 5, 2026 17:35 JST"."""
        return time_text(self.moment, self.zone, self.language)

    @cached_property
    def components(self) -> list[ComponentChange]:
        """The statuses the announced update set, in page order ([] when it set none)."""
        update = self.notification.update
        if update is None:
            return []
        rows = update.affected_components.select_related("component__group")
        return component_changes(rows, self.language)

    @cached_property
    def earlier(self) -> list[EarlierUpdate]:
        return earlier_updates(self.notification, self.language, self.zone)


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


def zone_label(moment: datetime) -> str:
    """The zone's abbreviation (JST, CET, UTC), or its offset when it has only a number."""
    name = moment.tzname() or ""
    return name if name and name[0] not in "+-" else utc_offset(moment)


def time_text(moment: datetime, zone: zoneinfo.ZoneInfo, language: str) -> str:
    """`moment` in `zone` as a reader of `language` writes it, with the zone's abbreviation:
    "Dec 5, 2026 17:35 JST", "2026年12月5日 17:35 JST"."""
    local = moment.astimezone(zone)
    if language.split("-")[0] == "ja":
        day = f"{local.year}年{local.month}月{local.day}日"
    else:
        day = f"{MONTHS[local.month - 1]} {local.day}, {local.year}"
    return f"{day} {local:%H:%M} {zone_label(local)}"


def status_label(status: str) -> str:
    """A component status's label in the active language (the value itself if unknown)."""
    try:
        return str(ComponentStatus(status).label)
    except ValueError:
        return status


def component_changes(rows, language: str) -> list[ComponentChange]:
    """An update's IncidentUpdateComponent rows (their components and groups read with them)
    in page order, named and labelled in `language`."""
    changes = []
    with translation.override(language):
        for row in sorted(rows, key=lambda row: representations.page_order(row.component)):
            name = selectors.localized(row.component, "name", language)
            group = row.component.group
            if group is not None:
                name = f"{selectors.localized(group, 'name', language)} - {name}"
            changes.append(
                ComponentChange(
                    name=name,
                    old_status=status_label(row.old_status),
                    new_status=status_label(row.new_status),
                    changed=row.old_status != row.new_status,
                )
            )
    return changes


def earlier_updates(
    notification: Notification, language: str, zone: zoneinfo.ZoneInfo
) -> list[EarlierUpdate]:
    """The incident's updates before the announced one, newest first (EARLIER_UPDATES at most),
    their times in `zone`."""
    update = notification.update
    if update is None:
        return []
    earlier = update.incident.updates.filter(pk__lt=update.pk).order_by("-display_at", "-id")
    rows = []
    for row in earlier[:EARLIER_UPDATES]:
        body = selectors.localized(row, "body", language)
        rows.append(
            EarlierUpdate(
                status=row.get_status_display(),
                when=time_text(row.display_at, zone, language),
                body=body,
                body_html=render_markdown(body),
            )
        )
    return rows
