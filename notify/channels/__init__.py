"""The channel registry: the enabled channels by name; a channel without its credentials is
disabled and says why."""

from notify.channels.base import Channel
from notify.channels.email import EmailChannel
from notify.choices import Channel as ChannelName

CHANNEL_CLASSES: dict[str, type[Channel]] = {ChannelName.EMAIL: EmailChannel}
DISABLED_REASONS: dict[str, str] = {
    ChannelName.SMS: "SMS is not available yet on this installation.",
    ChannelName.WEBHOOK: "Webhooks are not available yet on this installation.",
    ChannelName.SLACK: "Slack is not available yet on this installation.",
}


def enabled_channels() -> list[str]:
    return list(CHANNEL_CLASSES)


def channel(name: str) -> Channel:
    """A new instance of the channel `name` (KeyError when it is disabled)."""
    return CHANNEL_CLASSES[name]()
