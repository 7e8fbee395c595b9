"""The request bodies of the management API, field for field as Statuspage names them; each
inside its envelope (`{"component": {…}}`). Fields Statuspage has and Noroshi does not act on
(tweets, metadata) are accepted and ignored, so that clients that send them work."""

from rest_framework import serializers

from incidents.choices import ComponentStatus, Impact, IncidentStatus, MaintenanceStatus

COMPONENT_STATUSES = ComponentStatus.values
INCIDENT_STATUSES = [s for s in IncidentStatus.values if s != IncidentStatus.POSTMORTEM]
MAINTENANCE_STATUSES = MaintenanceStatus.values
# What a request may set (`postmortem` is set by publishing a post-mortem).
POSTABLE_STATUSES = INCIDENT_STATUSES + MAINTENANCE_STATUSES


def status_choice(choices: list[str], **kwargs) -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=choices,
        error_messages={"invalid_choice": f"“{{input}}” is not one of {', '.join(choices)}."},
        **kwargs,
    )


class ComponentFields(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    description = serializers.CharField(allow_blank=True, allow_null=True, required=False)
    status = status_choice(COMPONENT_STATUSES, required=False)
    only_show_if_degraded = serializers.BooleanField(required=False)
    group_id = serializers.CharField(allow_null=True, allow_blank=True, required=False)
    showcase = serializers.BooleanField(required=False)
    start_date = serializers.DateField(allow_null=True, required=False)


class ComponentRequest(serializers.Serializer):
    component = ComponentFields()


class ComponentGroupFields(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    description = serializers.CharField(allow_blank=True, allow_null=True, required=False)
    components = serializers.ListField(child=serializers.CharField(), allow_empty=True)
    position = serializers.IntegerField(min_value=0, required=False)


class ComponentGroupRequest(serializers.Serializer):
    # Statuspage sends the description beside the envelope; both places are read.
    description = serializers.CharField(allow_blank=True, allow_null=True, required=False)
    component_group = ComponentGroupFields()


class IncidentFields(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    status = status_choice(POSTABLE_STATUSES, required=False)
    impact_override = status_choice(Impact.values, required=False, allow_null=True)
    body = serializers.CharField(allow_blank=True, required=False)
    # Noroshi's own: the Japanese name and text shown to visitors reading in Japanese.
    name_ja = serializers.CharField(max_length=200, allow_blank=True, required=False)
    body_ja = serializers.CharField(allow_blank=True, required=False)
    components = serializers.DictField(child=status_choice(COMPONENT_STATUSES), required=False)
    component_ids = serializers.ListField(child=serializers.CharField(), required=False)
    deliver_notifications = serializers.BooleanField(required=False, default=True)
    backfilled = serializers.BooleanField(required=False, default=False)
    backfill_date = serializers.DateTimeField(
        required=False, input_formats=["iso-8601", "%Y-%m-%d"]
    )
    scheduled_for = serializers.DateTimeField(required=False)
    scheduled_until = serializers.DateTimeField(required=False)
    scheduled_remind_prior = serializers.BooleanField(required=False)
    # Noroshi's own: how long before the window the reminder goes (Statuspage: an hour).
    scheduled_remind_minutes = serializers.IntegerField(min_value=0, required=False)
    scheduled_auto_in_progress = serializers.BooleanField(required=False)
    scheduled_auto_completed = serializers.BooleanField(required=False)
    scheduled_auto_transition = serializers.BooleanField(required=False)
    auto_transition_to_maintenance_state = serializers.BooleanField(required=False)
    auto_transition_to_operational_state = serializers.BooleanField(required=False)
    auto_transition_deliver_notifications_at_start = serializers.BooleanField(required=False)
    auto_transition_deliver_notifications_at_end = serializers.BooleanField(required=False)
    metadata = serializers.DictField(required=False)
    auto_tweet_at_beginning = serializers.BooleanField(required=False)
    auto_tweet_on_completion = serializers.BooleanField(required=False)
    auto_tweet_on_creation = serializers.BooleanField(required=False)
    auto_tweet_one_hour_before = serializers.BooleanField(required=False)


class IncidentRequest(serializers.Serializer):
    incident = IncidentFields()


class PageFields(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False)
    url = serializers.URLField(required=False)
    time_zone = serializers.CharField(max_length=64, required=False)
    support_url = serializers.URLField(required=False, allow_blank=True)


class PageRequest(serializers.Serializer):
    page = PageFields()


def validated(serializer_class, data, *, partial: bool = False) -> dict:
    """The envelope's validated fields (raises DRF's ValidationError, naming each field). The
    envelope itself is required even in a partial update: a PATCH without it changes nothing
    and is told so."""
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
