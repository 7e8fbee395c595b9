"""Statuspage's subscriber-webhook payloads, so that receivers written for Statuspage work.

Two events, told apart by their keys (there is no type field): an incident event
`{meta, page, incident}` — also for maintenance, reminders and post-mortems — and a component
event `{meta, page, component, component_update}`. The incident object is the API v2 one
(incidents.representations) plus the keys real webhook payloads carry besides.

A body is rendered once per (notification, language) and serves every subscriber who reads
that language: its only per-subscriber part, meta.unsubscribe, is a placeholder that is the
first value of the body, which the channel fills in at send
(notify.channels.webhook.with_unsubscribe). The answers to a sign-up are made the same way.
"""

import hashlib

from django.conf import settings
from django.utils import timezone

from incidents import representations, selectors
from incidents.models import ComponentStatusChange, Incident
from incidents.public_ids import ALPHABET, LENGTH
from notify.channels.base import UNSUBSCRIBE_PLACEHOLDER
from notify.channels.webhook import encoded
from notify.choices import NotificationKind
from notify.messages import Announcement
from notify.models import Notification, Subscriber

COMPONENT_KEYS = (
    "id", "name", "status", "created_at", "updated_at", "position", "description", "showcase",
    "page_id", "group_id",
)  # fmt: skip


def meta(ctx: representations.PageContext) -> dict:
    return {
        "unsubscribe": UNSUBSCRIBE_PLACEHOLDER,
        "documentation": settings.NOROSHI_WEBHOOK_DOCUMENTATION_URL,
        "generated_at": ctx.time(timezone.now()),
    }


def page(ctx: representations.PageContext) -> dict:
    """The page and its current roll-up, as webhook payloads give it."""
    status = selectors.page_status()
    return {
        "id": ctx.page_id,
        "status_indicator": status.indicator,
        "status_description": status.description,
    }


def incident_extras(ctx: representations.PageContext, incident: Incident) -> dict:
    """The keys a webhook's incident carries beyond the API's (maintenance window, reminder,
    automation, post-mortem); present on every incident, null or false where they do not
    apply, as Statuspage sends them."""
    postmortem = getattr(incident, "postmortem", None)
    published = postmortem if postmortem is not None and postmortem.is_published else None
    maintenance = incident.is_maintenance
    return {
        "backfilled": incident.backfilled,
        "impact_override": incident.impact_override or None,
        "postmortem_body": ctx.text(published, "summary") if published else None,
        "postmortem_published_at": ctx.time(published.published_at) if published else None,
        "scheduled_for": ctx.time(incident.scheduled_for),
        "scheduled_until": ctx.time(incident.scheduled_until),
        "scheduled_remind_prior": maintenance and incident.remind_minutes_before is not None,
        "scheduled_auto_in_progress": maintenance and incident.auto_start,
        "scheduled_auto_completed": maintenance and incident.auto_complete,
    }


def incident_event(notification: Notification, ctx: representations.PageContext) -> dict:
    if notification.incident is None:
        raise ValueError(f"a {notification.kind} notification without an incident")
    incident = selectors.incident_by_public_id(notification.incident.public_id)
    return {
        "meta": meta(ctx),
        "page": page(ctx),
        "incident": {
            **representations.incident_object(ctx, incident),
            **incident_extras(ctx, incident),
        },
    }


def change_id(change: ComponentStatusChange, ctx: representations.PageContext) -> str:
    """A stable public id for a status-history row (which has none of its own): the same on
    every attempt, 12 lowercase letters and digits like every other id."""
    digest = hashlib.sha256(f"{ctx.page_id}:component_update:{change.pk}".encode()).digest()
    number = int.from_bytes(digest, "big")
    characters = []
    for _ in range(LENGTH):
        number, digit = divmod(number, len(ALPHABET))
        characters.append(ALPHABET[digit])
    return "".join(characters)


def component_event(notification: Notification, ctx: representations.PageContext) -> dict:
    change = notification.component_change
    if change is None:
        raise ValueError("a component_status notification without its status change")
    component = selectors.component_with_group(change.component_id)
    group_id = component.group.public_id if component.group else None
    full = representations.component_object(ctx, component, group_id=group_id)
    # The component as the event left it, at the event's time (a later change has its own
    # event): a receiver that shows `updated_at` shows when this change happened.
    at_change = {"status": change.new_status, "updated_at": ctx.time(change.created_at)}
    body = {key: full[key] for key in COMPONENT_KEYS} | at_change
    return {
        "meta": meta(ctx),
        "page": page(ctx),
        "component": body,
        "component_update": {
            "id": change_id(change, ctx),
            "component_id": component.public_id,
            "old_status": change.old_status or None,
            "new_status": change.new_status,
            "created_at": ctx.time(change.created_at),
            "component_type": "Component",
        },
    }


def render(announcement: Announcement) -> bytes:
    """The JSON body announcing a notification in a language, its unsubscribe link still a
    placeholder."""
    notification = announcement.notification
    ctx = representations.page_context(language=announcement.language)
    if notification.kind == NotificationKind.COMPONENT_STATUS:
        payload = component_event(notification, ctx)
    else:
        payload = incident_event(notification, ctx)
    return encoded(payload)


def verification(subscriber: Subscriber, *, confirm_url: str) -> bytes:
    """The double opt-in event: where to confirm, and the secret that signs every body.

    The secret travels only to the URL being confirmed (over verified TLS): whoever receives
    there can check later signatures, nobody else learns it."""
    ctx = representations.page_context(language=subscriber.language)
    return encoded(
        {
            "meta": meta(ctx),
            "verification": {"confirm_url": confirm_url, "signing_secret": subscriber.secret},
        }
    )


def notice(subscriber: Subscriber, *, state: str, manage_url: str) -> bytes:
    """The event that tells an existing webhook subscriber that someone signed its URL up
    again: its state (confirmed, unsubscribed, suspended), unchanged, and where to manage it."""
    ctx = representations.page_context(language=subscriber.language)
    return encoded(
        {
            "meta": meta(ctx),
            "subscription": {"status": state, "manage_url": manage_url},
        }
    )
