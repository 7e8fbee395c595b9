"""The channel registry: each channel's class by name, imported when first asked for.

A channel is offered (on the subscribe page, in fan-out) only when its class says it is usable
here (`disabled_reason()` is empty): e-mail always, SMS once Twilio is configured, …
"""

from functools import cache
from importlib import import_module

from notify.channels.base import Channel
from notify.choices import Channel as ChannelName

CHANNELS: dict[str, str] = {
    ChannelName.EMAIL: "notify.channels.email.EmailChannel",
    ChannelName.SMS: "notify.channels.sms.SmsChannel",
    ChannelName.WEBHOOK: "notify.channels.webhook.WebhookChannel",
    ChannelName.SLACK: "notify.channels.slack.SlackChannel",
}


@cache
def channel_class(name: str) -> type[Channel] | None:
    path = CHANNELS.get(name)
    if path is None:
        return None
    module, _, attribute = path.rpartition(".")
    try:
        return getattr(import_module(module), attribute)
    except (ImportError, AttributeError):
        return None


def disabled_reason(name: str) -> str:
    """Why `name` cannot be used here ('' when it can)."""
    if name not in CHANNELS:
        return f"“{name}” is not a channel."
    cls = channel_class(name)
    if cls is None:
        return f"{ChannelName(name).label} is not available on this installation."
    return cls.disabled_reason()


def enabled_channels() -> list[str]:
    return [name for name in CHANNELS if not disabled_reason(name)]


def channel(name: str) -> Channel:
    """A new instance of the channel `name` (KeyError when it is disabled)."""
    cls = channel_class(name)
    if cls is None or cls.disabled_reason():
        raise KeyError(name)
    return cls()
