"""The OpenAPI description of the management API (drf-spectacular): the objects it answers
with, the errors, the shared parameters and an example of every request and response.

The objects are described by serializers that are never used to serialize (the views build
plain dicts in statuspage.api_v1.objects): they only tell the schema each key and its type."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from incidents.branding.logo import LogoType
from incidents.choices import (
    ComponentStatus,
    DraftState,
    Impact,
    IncidentStatus,
    MaintenanceStatus,
)
from notify.choices import Channel

INCIDENT_STATUS_VALUES = IncidentStatus.values + MaintenanceStatus.values
IMPACT_VALUES = [*Impact.values, "maintenance"]


def without_json_suffix(endpoints):
    """Preprocessing hook: each path once, without its `.json` twin (statuspage.api_v1.urls)."""
    return [e for e in endpoints if not e[0].endswith(".json")]


def text(**kwargs):
    return serializers.CharField(read_only=True, **kwargs)


def moment(**kwargs):
    return serializers.DateTimeField(read_only=True, **kwargs)


class ErrorObject(serializers.Serializer):
    error = text(help_text="What went wrong, in one sentence.")
    # Not read-only, so that the schema lists it as optional: only a 400 names fields.
    fields = serializers.DictField(
        child=serializers.CharField(),
        required=False,
        help_text="Each bad field (dotted inside the envelope) and what was expected.",
    )


class ComponentObject(serializers.Serializer):
    id = text()
    page_id = text()
    group_id = text(allow_null=True)
    created_at = moment()
    updated_at = moment()
    group = serializers.BooleanField(read_only=True)
    name = text()
    description = text(allow_null=True)
    position = serializers.IntegerField(read_only=True)
    status = serializers.ChoiceField(ComponentStatus.values, read_only=True)
    showcase = serializers.BooleanField(read_only=True)
    only_show_if_degraded = serializers.BooleanField(read_only=True)
    automation_email = text(allow_null=True)
    start_date = serializers.DateField(read_only=True, allow_null=True)


class ComponentGroupObject(serializers.Serializer):
    id = text()
    page_id = text()
    name = text()
    description = text(allow_null=True)
    components = serializers.ListField(child=serializers.CharField(), read_only=True)
    position = serializers.IntegerField(read_only=True)
    created_at = moment()
    updated_at = moment()


class AffectedComponent(serializers.Serializer):
    code = text()
    name = text()
    old_status = serializers.ChoiceField(ComponentStatus.values, read_only=True)
    new_status = serializers.ChoiceField(ComponentStatus.values, read_only=True)


class IncidentUpdateObject(serializers.Serializer):
    id = text()
    status = serializers.ChoiceField(INCIDENT_STATUS_VALUES, read_only=True)
    body = text()
    incident_id = text()
    created_at = moment()
    updated_at = moment()
    display_at = moment()
    affected_components = AffectedComponent(many=True, read_only=True, allow_null=True)
    deliver_notifications = serializers.BooleanField(read_only=True)
    custom_tweet = text(allow_null=True)
    tweet_id = text(allow_null=True)
    twitter_updated_at = moment(allow_null=True)
    wants_twitter_update = serializers.BooleanField(read_only=True)


class IncidentObject(serializers.Serializer):
    id = text()
    name = text()
    status = serializers.ChoiceField(INCIDENT_STATUS_VALUES, read_only=True)
    impact = serializers.ChoiceField(IMPACT_VALUES, read_only=True)
    impact_override = serializers.ChoiceField(Impact.values, read_only=True, allow_null=True)
    created_at = moment()
    updated_at = moment()
    monitoring_at = moment(allow_null=True)
    resolved_at = moment(allow_null=True)
    started_at = moment()
    shortlink = text()
    page_id = text()
    incident_updates = IncidentUpdateObject(many=True, read_only=True)
    components = ComponentObject(many=True, read_only=True)
    metadata = serializers.DictField(read_only=True)
    postmortem_body = text(allow_null=True)
    postmortem_body_last_updated_at = moment(allow_null=True)
    postmortem_ignored = serializers.BooleanField(read_only=True)
    postmortem_notified_subscribers = serializers.BooleanField(read_only=True)
    postmortem_notified_twitter = serializers.BooleanField(read_only=True)
    postmortem_published_at = moment(allow_null=True)
    scheduled_for = moment(allow_null=True)
    scheduled_until = moment(allow_null=True)
    scheduled_remind_prior = serializers.BooleanField(read_only=True)
    scheduled_reminded_at = moment(allow_null=True)
    scheduled_auto_in_progress = serializers.BooleanField(read_only=True)
    scheduled_auto_completed = serializers.BooleanField(read_only=True)
    auto_transition_to_maintenance_state = serializers.BooleanField(read_only=True)
    auto_transition_to_operational_state = serializers.BooleanField(read_only=True)
    auto_transition_deliver_notifications_at_start = serializers.BooleanField(read_only=True)
    auto_transition_deliver_notifications_at_end = serializers.BooleanField(read_only=True)
    reminder_intervals = text(allow_null=True)
    draft = serializers.BooleanField(
        read_only=True, help_text="Noroshi: not public (an alert's draft, or a discarded one)."
    )
    draft_state = serializers.ChoiceField(DraftState.values, read_only=True)


class LinkObject(serializers.Serializer):
    label = text()
    label_ja = text(help_text="Shown to visitors reading in Japanese; empty: the label.")
    url = text()


class PageObject(serializers.Serializer):
    id = text()
    created_at = moment()
    updated_at = moment()
    name = text()
    page_description = text(allow_null=True)
    headline = text(allow_null=True)
    branding = text()
    subdomain = text(allow_null=True)
    domain = text(allow_null=True)
    url = text()
    support_url = text(allow_null=True)
    hidden_from_search = serializers.BooleanField(read_only=True)
    allow_page_subscribers = serializers.BooleanField(read_only=True)
    allow_incident_subscribers = serializers.BooleanField(read_only=True)
    allow_email_subscribers = serializers.BooleanField(read_only=True)
    allow_sms_subscribers = serializers.BooleanField(read_only=True)
    allow_rss_atom_feeds = serializers.BooleanField(read_only=True)
    allow_webhook_subscribers = serializers.BooleanField(read_only=True)
    notifications_from_email = text()
    notifications_email_footer = text(allow_null=True)
    activity_score = serializers.FloatField(read_only=True)
    twitter_username = text(allow_null=True)
    viewers_must_be_team_members = serializers.BooleanField(read_only=True)
    ip_restrictions = text(allow_null=True)
    city = text(allow_null=True)
    state = text(allow_null=True)
    country = text(allow_null=True)
    time_zone = text()
    css_body_background_color = text(allow_null=True)
    css_font_color = text(allow_null=True)
    css_light_font_color = text(allow_null=True)
    css_greens = text(allow_null=True)
    css_yellows = text(allow_null=True)
    css_oranges = text(allow_null=True)
    css_blues = text(allow_null=True)
    css_reds = text(allow_null=True)
    css_border_color = text(allow_null=True)
    css_graph_color = text(allow_null=True)
    css_link_color = text(allow_null=True)
    css_no_data = text(allow_null=True)
    favicon_logo = text(allow_null=True)
    transactional_logo = text(allow_null=True)
    hero_cover = text(allow_null=True)
    email_logo = text(allow_null=True)
    twitter_logo = text(allow_null=True)
    # Noroshi's own settings (statuspage.api_v1.page_requests changes them).
    update_reminder_minutes = serializers.IntegerField(
        read_only=True,
        help_text="Noroshi: on-call is reminded when an open incident has had no public update "
        "for this many minutes (0: never).",
    )
    brand_colour = text(allow_null=True, help_text="Noroshi: #rrggbb, or null for none.")
    brand_colour_dark = text(
        allow_null=True, help_text="Noroshi: #rrggbb in dark mode, or null (derived)."
    )
    header_links = LinkObject(many=True, read_only=True, help_text="Noroshi: up to 5.")
    footer_links = LinkObject(many=True, read_only=True, help_text="Noroshi: up to 5.")
    logo_url = text(
        allow_null=True, help_text="Noroshi: where the page's logo is served, or null for none."
    )
    logo_content_type = serializers.ChoiceField(
        LogoType.values, read_only=True, allow_null=True, help_text="Noroshi: the logo's type."
    )


class RelatedEvents(serializers.Serializer):
    count = serializers.IntegerField(read_only=True)
    incidents = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField()), read_only=True
    )


class SubscriberObject(serializers.Serializer):
    id = text()
    skip_confirmation_notification = serializers.BooleanField(read_only=True)
    mode = serializers.ChoiceField(Channel.values, read_only=True)
    email = text(allow_null=True)
    endpoint = text(allow_null=True)
    phone_number = text(allow_null=True)
    phone_country = text(allow_null=True)
    display_phone_number = text(allow_null=True)
    obfuscated_channel_name = text(allow_null=True)
    workspace_name = text(allow_null=True)
    quarantined_at = moment(allow_null=True)
    purge_at = moment(allow_null=True)
    components = serializers.ListField(child=serializers.CharField(), read_only=True)
    page_access_user_id = text(allow_null=True)
    created_at = moment()
    state = text()
    language = text()
    incident_id = text(allow_null=True)
    confirmed_at = moment(allow_null=True)
    unsubscribed_at = moment(allow_null=True)


class ComponentUptimeObject(serializers.Serializer):
    id = text()
    name = text()
    range_start = moment()
    range_end = moment()
    uptime_percentage = serializers.FloatField(read_only=True, allow_null=True)
    major_outage = serializers.IntegerField(read_only=True, help_text="Seconds.")
    partial_outage = serializers.IntegerField(read_only=True, help_text="Seconds.")
    warnings = serializers.ListField(child=serializers.CharField(), read_only=True)
    related_events = RelatedEvents(read_only=True)


# --- parameters and headers -----------------------------------------------------------------

COUNT = {"type": "integer", "minimum": 1, "maximum": 1_000_000}
PAGE_NUMBER = OpenApiParameter("page", COUNT, description="Page of results, from 1.")
PER_PAGE = OpenApiParameter(
    "per_page", COUNT, description="Results per page (more than 100 counts as 100)."
)
LIMIT = OpenApiParameter(
    "limit", COUNT, description="Results per page (more than 100 counts as 100)."
)
QUERY = OpenApiParameter(
    "q", OpenApiTypes.STR, description="Text in the name or any update.", required=False
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "Any string of up to 255 characters naming this write. A retry with the same key and "
        "body gets the first response (with `Idempotent-Replayed: true`) and writes nothing; "
        "the same key with another body is a 422. Keys are kept 24 hours."
    ),
)
LIST_PARAMETERS = [PAGE_NUMBER, PER_PAGE]


def errors(*codes: int) -> dict:
    """The error responses of an operation, each in the error shape."""
    meaning = {
        400: "The request is not valid; `fields` names each bad field.",
        401: "No API key, or one that is unknown, revoked or expired.",
        403: "The key's role may not do this.",
        404: "No such page or object.",
        409: "The resource's state refuses this (a delete of what history keeps).",
        422: "An Idempotency-Key reused with another request.",
        429: "Too many requests for this key; see Retry-After.",
        503: "The per-address message limits cannot be read now; nothing was written.",
    }
    return {code: OpenApiResponse(ErrorObject, description=meaning[code]) for code in codes}


READ_ERRORS = errors(401, 403, 404, 429)
WRITE_ERRORS = errors(400, 401, 403, 404, 422, 429)
