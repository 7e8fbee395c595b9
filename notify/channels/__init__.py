"""The channel registry: each channel's class by name.

A channel is offered (on the subscribe page, in fan-out) only when its class says it is usable
here (`disabled_reason()` is empty): e-mail always, SMS once Twilio is configured, …
"""

from notify.channels.base import Channel
from notify.channels.email import EmailChannel
from notify.channels.slack import SlackChannel
from notify.channels.sms import SmsChannel
from notify.channels.webhook import WebhookChannel
from notify.choices import Channel as ChannelName

CHANNELS: dict[str, type[Channel]] = {
    ChannelName.EMAIL: EmailChannel,
    ChannelName.SMS: SmsChannel,
    ChannelName.WEBHOOK: WebhookChannel,
    ChannelName.SLACK: SlackChannel,
}


def disabled_reason(name: str) -> str:
    """Why `name` cannot be used here ('' when it can)."""
    if name not in CHANNELS:
        return f"“{name}” is not a channel."
    return CHANNELS[name].disabled_reason()


def enabled_channels() -> list[str]:
    return [name for name in CHANNELS if not disabled_reason(name)]


def channel(name: str) -> Channel:
    """A new instance of the channel `name` (KeyError when it is disabled)."""
    if disabled_reason(name):
        raise KeyError(name)
    return CHANNELS[name]()
