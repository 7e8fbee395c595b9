"""The request bodies of the management API, field for field as Statuspage names them; each
inside its envelope (`{"component": {…}}`). Fields Statuspage has and Noroshi does not act on
(tweets, metadata) are accepted and ignored, so that clients that send them work."""

from functools import cache

import phonenumbers
from django.http import QueryDict
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from incidents.choices import ComponentStatus, Impact, IncidentStatus, MaintenanceStatus
from notify.choices import Channel, Language
from notify.selectors import SUBSCRIBER_ORDERS, SUBSCRIBER_STATES

COMPONENT_STATUSES = ComponentStatus.values
INCIDENT_STATUSES = [s for s in IncidentStatus.values if s != IncidentStatus.POSTMORTEM]
MAINTENANCE_STATUSES = MaintenanceStatus.values
# What a request may set (`postmortem` is set by publishing a post-mortem).
POSTABLE_STATUSES = INCIDENT_STATUSES + MAINTENANCE_STATUSES


class Text(serializers.CharField):
    """A string, and only a string: a number or a boolean sent for text is refused, not
    silently taken for "0" or "True"."""

    default_error_messages = {"not_text": "Send text (a string), not {kind}."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_text", kind=type(data).__name__)
        return super().to_internal_value(data)


class Flag(serializers.BooleanField):
    """true or false (in a form-encoded body, the words): a number or another word sent for a
    flag is refused, not taken for one."""

    default_error_messages = {"not_flag": "Send true or false, not {kind}."}
    WORDS = {"true": True, "false": False}

    def to_internal_value(self, data):
        if isinstance(data, bool):
            return data
        if isinstance(data, str) and data.strip().lower() in self.WORDS:
            return self.WORDS[data.strip().lower()]
        self.fail("not_flag", kind=f"“{data}”" if isinstance(data, str) else type(data).__name__)


class AllOptional:
    """Every field optional: the body of a partial update (PATCH), as the schema shows it."""

    def get_fields(self):
        fields = super().get_fields()  # type: ignore[misc]
        for field in fields.values():
            field.required = False
        return fields


@cache
def changes_of(envelope_class: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """The schema of a partial update through `envelope_class`: the envelope is still
    required, every field inside it optional (the views validate with partial=True)."""
    declared = {}
    for name, field in envelope_class().fields.items():
        if isinstance(field, serializers.Serializer):
            inner = type(f"{type(field).__name__}Changes", (AllOptional, type(field)), {})
            declared[name] = inner(required=field.required)
        else:
            declared[name] = type(field)(**{**field._kwargs, "required": False})
    return type(f"{envelope_class.__name__}Changes", (serializers.Serializer,), declared)


def status_choice(choices: list[str], **kwargs) -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=choices,
        error_messages={"invalid_choice": f"“{{input}}” is not one of {', '.join(choices)}."},
        **kwargs,
    )


class ComponentFields(serializers.Serializer):
    name = Text(max_length=100)
    description = Text(allow_blank=True, allow_null=True, required=False)
    status = status_choice(COMPONENT_STATUSES, required=False)
    only_show_if_degraded = Flag(required=False)
    group_id = Text(allow_null=True, allow_blank=True, required=False)
    showcase = Flag(required=False)
    start_date = serializers.DateField(allow_null=True, required=False)


class ComponentRequest(serializers.Serializer):
    component = ComponentFields()


class ComponentGroupFields(serializers.Serializer):
    name = Text(max_length=100)
    description = Text(allow_blank=True, allow_null=True, required=False)
    components = serializers.ListField(child=Text(), allow_empty=True)
    position = serializers.IntegerField(min_value=0, required=False)


class ComponentGroupRequest(serializers.Serializer):
    # Statuspage sends the description beside the envelope; both places are read.
    description = Text(allow_blank=True, allow_null=True, required=False)
    component_group = ComponentGroupFields()


class IncidentFields(serializers.Serializer):
    name = Text(max_length=200)
    status = status_choice(POSTABLE_STATUSES, required=False)
    impact_override = status_choice(Impact.values, required=False, allow_null=True)
    body = Text(allow_blank=True, required=False)
    # Noroshi's own: the Japanese name and text shown to visitors reading in Japanese.
    name_ja = Text(max_length=200, allow_blank=True, required=False)
    body_ja = Text(allow_blank=True, required=False)
    components = serializers.DictField(child=status_choice(COMPONENT_STATUSES), required=False)
    component_ids = serializers.ListField(child=Text(), required=False)
    deliver_notifications = Flag(required=False, default=True)
    backfilled = Flag(required=False, default=False)
    backfill_date = serializers.DateTimeField(
        required=False, input_formats=["iso-8601", "%Y-%m-%d"]
    )
    scheduled_for = serializers.DateTimeField(required=False)
    scheduled_until = serializers.DateTimeField(required=False)
    scheduled_remind_prior = Flag(required=False)
    # Noroshi's own: how long before the window the reminder goes (Statuspage: an hour).
    scheduled_remind_minutes = serializers.IntegerField(min_value=0, required=False)
    scheduled_auto_in_progress = Flag(required=False)
    scheduled_auto_completed = Flag(required=False)
    scheduled_auto_transition = Flag(required=False)
    auto_transition_to_maintenance_state = Flag(required=False)
    auto_transition_to_operational_state = Flag(required=False)
    auto_transition_deliver_notifications_at_start = Flag(required=False)
    auto_transition_deliver_notifications_at_end = Flag(required=False)
    metadata = serializers.DictField(required=False)
    auto_tweet_at_beginning = Flag(required=False)
    auto_tweet_on_completion = Flag(required=False)
    auto_tweet_on_creation = Flag(required=False)
    auto_tweet_one_hour_before = Flag(required=False)


class IncidentRequest(serializers.Serializer):
    incident = IncidentFields()


def validated(serializer_class, data, *, partial: bool = False) -> dict:
    """The envelope's validated fields (raises DRF's ValidationError, naming each field). The
    envelope itself is required even in a partial update: a PATCH without it changes nothing
    and is told so."""
    if isinstance(data, QueryDict):
        # An empty form body (DRF's stand-in for none): plain, so that a missing flag is
        # missing, not the unticked checkbox of an HTML form.
        data = data.dict()
    envelopes = [
        name
        for name, field in serializer_class().fields.items()
        if isinstance(field, serializers.Serializer) and field.required
    ]
    missing = [name for name in envelopes if not isinstance(data, dict) or name not in data]
    if missing:
        raise serializers.ValidationError(
            {name: [f'Send the fields inside “{name}”: {{"{name}": {{…}}}}.'] for name in missing}
        )
    serializer = serializer_class(data=data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# --- subscribers ---------------------------------------------------------------------------

# Statuspage's subscriber types: Noroshi's channels, and integration partners (none here).
SUBSCRIBER_TYPES = [*Channel.values, "integration_partner"]
SUBSCRIBER_STATE_FILTERS = [*SUBSCRIBER_STATES, "all"]
# How many subscribers one batch request may name (Statuspage's limit).
MAX_BATCH = 100
# The fields a subscriber is reached by, and the channel each one makes: a webhook `endpoint`
# first (Statuspage asks an `email` beside it, to tell of failures: accepted and ignored).
CONTACT_FIELDS = {
    "endpoint": Channel.WEBHOOK,
    "slack_webhook_url": Channel.SLACK,
    "phone_number": Channel.SMS,
    "email": Channel.EMAIL,
}


NO_COUNTRY = (
    "Give the two-letter country the phone_number is dialled in (e.g. JP), or write the "
    "number with + and its country code."
)


def optional_text(max_length: int | None) -> serializers.CharField:
    return Text(max_length=max_length, required=False, allow_blank=True, allow_null=True)


class SubscriberFields(serializers.Serializer):
    """A new subscriber as Statuspage's API creates one: an `email`, a `phone_number` as dialled
    in `phone_country`, or a webhook `endpoint`; Noroshi's own `slack_webhook_url` and
    `language`. `validated_data` gains the `channel`, the `address` and the contact `field`."""

    # Generated clients send null for what they leave out: null is the same as absent.
    email = optional_text(500)
    endpoint = optional_text(500)
    phone_number = optional_text(40)
    phone_country = optional_text(2)
    slack_webhook_url = optional_text(500)
    component_ids = serializers.ListField(child=Text(), required=False, allow_null=True)
    skip_confirmation_notification = Flag(required=False, allow_null=True)
    page_access_user = optional_text(None)
    language = status_choice(Language.values, required=False, allow_null=True)

    def validate(self, attrs: dict) -> dict:
        attrs = {name: value for name, value in attrs.items() if value is not None}
        attrs.setdefault("skip_confirmation_notification", False)
        attrs.setdefault("language", Language.EN)
        given = [name for name in CONTACT_FIELDS if attrs.get(name, "").strip()]
        if not given:
            raise serializers.ValidationError(
                "Send an email, a phone_number with its phone_country, a webhook endpoint or a "
                "slack_webhook_url."
            )
        field = given[0]
        others = [name for name in given[1:] if not (field == "endpoint" and name == "email")]
        if others:
            raise serializers.ValidationError(
                {others[0]: [f"Send one way to reach the subscriber: {field} or {others[0]}."]}
            )
        address = attrs[field].strip()
        if field == "phone_number":
            address = dialled_number(address, attrs.get("phone_country", "").strip())
        return attrs | {"channel": CONTACT_FIELDS[field], "address": address, "field": field}


def dialled_number(number: str, country: str) -> str:
    """A number as dialled in `country` (Statuspage's phone_number and phone_country) in its
    international form; one written with + and its country code stays as it is. An unreadable
    one is left for notify.addresses to say what is wrong with it."""
    if number.startswith("+"):
        return number
    region = country.upper()
    if not region:
        raise serializers.ValidationError({"phone_country": [NO_COUNTRY]})
    if phonenumbers.country_code_for_region(region) == 0:
        raise serializers.ValidationError(
            {"phone_country": [f"“{country}” is not a two-letter country code (e.g. JP)."]}
        )
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


class SubscriberRequest(serializers.Serializer):
    subscriber = SubscriberFields()


@extend_schema_field(
    {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}
)
class SubscriberIds(serializers.Field):
    """Statuspage's way of naming subscribers in a batch: a list of ids, the ids in one string
    separated by commas, or "all"."""

    default_error_messages = {
        "invalid": "Send the subscriber ids as a list, as “id1,id2”, or “all”.",
        "empty": "Name at least one subscriber, or “all”.",
        "too_many": f"Name at most {MAX_BATCH} subscribers at once.",
    }

    def to_internal_value(self, data) -> list[str] | str:
        if isinstance(data, str):
            data = data.split(",")
        if not isinstance(data, list) or not all(isinstance(item, str) for item in data):
            self.fail("invalid")
        ids = list(dict.fromkeys(item.strip() for item in data if item.strip()))
        if ids == ["all"]:
            return "all"
        if not ids:
            self.fail("empty")
        if len(ids) > MAX_BATCH:
            self.fail("too_many")
        return ids

    def to_representation(self, value):
        return value


class SubscriberBatchRequest(serializers.Serializer):
    """unsubscribe, reactivate, resend_confirmation: which subscribers (named, or "all" of a
    type and state), as Statuspage sends it, without an envelope."""

    subscribers = SubscriberIds()
    type = status_choice(SUBSCRIBER_TYPES, required=False)
    state = status_choice(SUBSCRIBER_STATE_FILTERS, required=False)
    # Noroshi sends nothing when a subscription ends: accepted and ignored.
    skip_unsubscription_notification = Flag(required=False)


class SubscriberQuery(serializers.Serializer):
    """The filters and order of a list of subscribers (query parameters, Statuspage's names)."""

    q = Text(required=False, allow_blank=True, max_length=500, default="")
    type = status_choice(SUBSCRIBER_TYPES, required=False)
    state = status_choice(SUBSCRIBER_STATE_FILTERS, required=False, default="active")
    sort_field = status_choice(list(SUBSCRIBER_ORDERS), required=False, default="primary")
    sort_direction = status_choice(["asc", "desc"], required=False, default="asc")

    def validate(self, attrs: dict) -> dict:
        if attrs["sort_field"] == "relevance" and not attrs["q"].strip():
            raise serializers.ValidationError(
                {"sort_field": ["“relevance” sorts the results of a search: send q as well."]}
            )
        return attrs
