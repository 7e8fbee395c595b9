"""Which module renders an announcement for which channel."""

from collections.abc import Callable
from typing import Any

from notify.choices import Channel
from notify.messages import Announcement, email, slack, sms, webhook

RENDERERS: dict[str, Callable[[Announcement], Any]] = {
    Channel.EMAIL: email.render,
    Channel.SMS: sms.render,
    Channel.WEBHOOK: webhook.render,
    Channel.SLACK: slack.render,
}


def message_for(announcement: Announcement, channel: str) -> Any:
    """The message of `announcement` for `channel`, as that channel's send() takes it."""
    return RENDERERS[channel](announcement)
