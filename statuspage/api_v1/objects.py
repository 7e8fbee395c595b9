"""The objects the management API answers with, as Statuspage's management API writes them:
the public (v2) objects of incidents.representations plus the fields only a page's owner sees
(impact_override, the maintenance flags, the group's member ids…). Fields Noroshi has no
counterpart for are present with Statuspage's empty value, so clients find every key."""

from urllib.parse import urlsplit

import phonenumbers
from django.conf import settings

from incidents.models import Component, ComponentGroup, Incident, PageSettings, PostMortem
from incidents.models.postmortems import SECTION_LABELS, SECTIONS
from incidents.representations import (
    PageContext,
    component_object,
    incident_object,
    page_order,
)
from notify.channels import enabled_channels
from notify.choices import Channel, ConsentSource
from notify.masking import masked_address, masked_digits, masked_phone, url_host
from notify.models import Subscriber
from notify.selectors import subscriber_state
from statuspage.branding import brand_of

PAGE_STYLE_FIELDS = (
    "css_body_background_color",
    "css_font_color",
    "css_light_font_color",
    "css_greens",
    "css_yellows",
    "css_oranges",
    "css_blues",
    "css_reds",
    "css_border_color",
    "css_graph_color",
    "css_link_color",
    "css_no_data",
    "favicon_logo",
    "transactional_logo",
    "hero_cover",
    "email_logo",
    "twitter_logo",
)


def management_component(ctx: PageContext, component: Component) -> dict:
    group_id = component.group.public_id if component.group else None
    return component_object(ctx, component, group_id=group_id) | {"automation_email": None}


def management_group(ctx: PageContext, group: ComponentGroup, members: list[Component]) -> dict:
    return {
        "id": group.public_id,
        "page_id": ctx.page_id,
        "name": ctx.text(group, "name"),
        "description": ctx.text(group, "description") or None,
        "components": [member.public_id for member in sorted(members, key=page_order)],
        "position": group.position,
        "created_at": ctx.time(group.created_at),
        "updated_at": ctx.time(group.updated_at),
    }


def body_of(postmortem: PostMortem, *, language: str = "") -> str:
    """The sections as one Markdown document, each under its heading."""
    suffix = f"_{language}" if language else ""
    parts = [
        f"## {SECTION_LABELS[name]}\n\n{getattr(postmortem, name + suffix).strip()}"
        for name in SECTIONS
        if getattr(postmortem, name + suffix).strip()
    ]
    return "\n\n".join(parts)


def management_incident(ctx: PageContext, incident: Incident) -> dict:
    """The v2 incident plus its owner's fields; expects the management selectors' rows (their
    timeline and post-mortem loaded)."""
    maintenance = incident.is_maintenance
    postmortem: PostMortem | None = getattr(incident, "postmortem", None)
    if postmortem is not None and not postmortem.is_published:
        postmortem = None
    body = incident_object(ctx, incident) | {
        "impact_override": incident.impact_override or None,
        "metadata": {},
        "postmortem_body": body_of(postmortem) if postmortem else None,
        "postmortem_body_last_updated_at": ctx.time(postmortem.updated_at if postmortem else None),
        "postmortem_ignored": False,
        "postmortem_notified_subscribers": bool(postmortem and postmortem.notify_subscribers),
        "postmortem_notified_twitter": False,
        "postmortem_published_at": ctx.time(postmortem.published_at if postmortem else None),
        "scheduled_for": ctx.time(incident.scheduled_for),
        "scheduled_until": ctx.time(incident.scheduled_until),
        "scheduled_remind_prior": maintenance and incident.remind_minutes_before is not None,
        "scheduled_reminded_at": ctx.time(incident.reminded_at),
        "scheduled_auto_in_progress": maintenance and incident.auto_start,
        "scheduled_auto_completed": maintenance and incident.auto_complete,
        "auto_transition_to_maintenance_state": maintenance
        and incident.set_components_under_maintenance,
        "auto_transition_to_operational_state": maintenance
        and incident.set_components_under_maintenance,
        "auto_transition_deliver_notifications_at_start": maintenance and incident.auto_start,
        "auto_transition_deliver_notifications_at_end": maintenance and incident.auto_complete,
        "reminder_intervals": None,
        # Noroshi's own: an alert's draft (or a discarded one) is not public; only a role that
        # may change incidents is shown it.
        "draft": not incident.is_public,
        "draft_state": incident.draft_state,
    }
    # The management API's component and update objects carry a few more keys than v2's.
    body["components"] = [c | {"automation_email": None} for c in body["components"]]
    body["incident_updates"] = [
        u | {"twitter_updated_at": None, "wants_twitter_update": False}
        for u in body["incident_updates"]
    ]
    return body


def management_page(ctx: PageContext, page: PageSettings) -> dict:
    channels = set(enabled_channels())
    return {
        "id": page.public_id,
        "created_at": ctx.time(page.created_at),
        "updated_at": ctx.time(ctx.updated_at),
        "name": page.name,
        "page_description": None,
        "headline": None,
        "branding": "basic",
        "subdomain": None,
        "domain": urlsplit(ctx.base_url).hostname,
        "url": ctx.base_url,
        "support_url": page.support_url or None,
        "hidden_from_search": False,
        "allow_page_subscribers": bool(channels),
        "allow_incident_subscribers": False,
        "allow_email_subscribers": "email" in channels,
        "allow_sms_subscribers": "sms" in channels,
        "allow_rss_atom_feeds": True,
        "allow_webhook_subscribers": "webhook" in channels,
        "notifications_from_email": settings.DEFAULT_FROM_EMAIL,
        "notifications_email_footer": None,
        "activity_score": 0,
        "twitter_username": None,
        "viewers_must_be_team_members": False,
        "ip_restrictions": None,
        "city": None,
        "state": None,
        "country": None,
        "time_zone": page.time_zone,
        # Statuspage's custom colours and images; Noroshi's page has its own design.
        **dict.fromkeys(PAGE_STYLE_FIELDS),
        **noroshi_page_settings(ctx, page),
    }


def noroshi_page_settings(ctx: PageContext, page: PageSettings) -> dict:
    """Noroshi's own page settings: the update reminder interval and the branding."""
    logo_path = brand_of(page, settings.LANGUAGE_CODE).logo_url
    return {
        "update_reminder_minutes": page.update_reminder_minutes,
        "brand_colour": page.brand_colour or None,
        "brand_colour_dark": page.brand_colour_dark or None,
        "header_links": page.header_links or [],
        "footer_links": page.footer_links or [],
        "logo_url": f"{ctx.base_url}{logo_path}" if logo_path else None,
        "logo_content_type": page.logo_type or None,
    }


def management_subscriber(ctx: PageContext, subscriber: Subscriber, *, personal: bool) -> dict:
    """A subscriber as Statuspage's API writes it, plus Noroshi's own `state`, `language`,
    `incident_id` and the times it confirmed and unsubscribed. Unless `personal` (the reader may
    see personal data: notify.masking), e-mail addresses and phone numbers are masked and a
    webhook or Slack URL is left out (its host only, in obfuscated_channel_name). Expects
    selectors.subscribers_for_management()'s components and incident."""
    channel, address = subscriber.channel, subscriber.address
    is_url = channel in (Channel.WEBHOOK, Channel.SLACK)
    phone = phone_fields(address, personal=personal) if channel == Channel.SMS else {}
    shown = address if personal else masked_address(channel, address)
    return {
        "id": subscriber.public_id,
        "skip_confirmation_notification": subscriber.consent_source == ConsentSource.API,
        "mode": channel,
        "email": shown if channel == Channel.EMAIL else None,
        "endpoint": address if is_url and personal else None,
        "phone_number": phone.get("phone_number"),
        "phone_country": phone.get("phone_country"),
        "display_phone_number": phone.get("display_phone_number"),
        "obfuscated_channel_name": url_host(address) if is_url else None,
        "workspace_name": None,
        "quarantined_at": ctx.time(subscriber.suspended_at),
        "purge_at": None,
        "components": [component.public_id for component in subscriber.components.all()],
        "page_access_user_id": None,
        "created_at": ctx.time(subscriber.created_at),
        "state": subscriber_state(subscriber),
        "language": subscriber.language,
        "incident_id": subscriber.incident.public_id if subscriber.incident else None,
        "confirmed_at": ctx.time(subscriber.confirmed_at),
        "unsubscribed_at": ctx.time(subscriber.unsubscribed_at),
    }


def phone_fields(number: str, *, personal: bool) -> dict[str, str | None]:
    """An E.164 number as Statuspage writes it: as dialled in its country, the country, and
    written internationally; masked unless `personal`."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        shown = number if personal else masked_phone(number)
        return {"phone_number": shown, "phone_country": None, "display_phone_number": shown}
    national = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    written = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return {
        "phone_number": national if personal else masked_digits(national).strip(),
        "phone_country": phonenumbers.region_code_for_number(parsed),
        "display_phone_number": written if personal else masked_phone(number),
    }
