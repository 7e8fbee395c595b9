"""The shapes of the notifications' management API."""

from rest_framework import serializers

from notify.models import SendingSwitch


class SendingSwitchSerializer(serializers.ModelSerializer):
    """The kill switch as read: paused or not, why, when and by whom it was last thrown."""

    changed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = SendingSwitch
        fields = ("paused", "reason", "changed_at", "changed_by")
        read_only_fields = fields


class SendingSwitchChangeSerializer(serializers.Serializer):
    """Throw or release the kill switch; pausing needs a reason (it is shown in the console)."""

    paused = serializers.BooleanField()
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if attrs["paused"] and not attrs["reason"].strip():
            raise serializers.ValidationError({"reason": "Say why sending is paused."})
        return attrs
