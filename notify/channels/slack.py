"""Slack: Block Kit messages (rendered by notify.messages.slack) POSTed to a Slack
incoming-webhook URL through notify.netguard.

Slack answers 200 "ok"; 404 no_service, 410 channel_is_archived, 403 and 400 are final;
429 and 5xx are retried, no sooner than the Retry-After of a 429 or 503 asks
(notify.channels.webhook.raise_for_status). Slack takes about one message per second per
incoming webhook, so each webhook URL has a token bucket of its own (NOROSHI_SLACK_PER_SECOND,
notify.ratelimit: shared through Redis when REDIS_URL is set).
"""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from notify import ratelimit
from notify.channels.base import Channel, Envelope
from notify.channels.webhook import USER_AGENT, encoded, post

HEADERS = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
# throttle(): a token at most this far away is waited for; a later one postpones the delivery.
MAX_SLEEP = 1.0


def escape(text: str) -> str:
    """Text made inert for mrkdwn: Slack reads only these three as markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def link(url: str, text: str) -> str:
    """A mrkdwn link; `text` is already escaped."""
    return f"<{escape(url).replace('|', '%7C')}|{text}>"


@dataclass(frozen=True)
class SlackMessage:
    """One rendering for every subscriber of a language; `send` adds the per-subscriber
    footer (the unsubscribe link) as the last block. A message without a footer (the answer
    to a sign-up) is sent as it is."""

    text: str
    blocks: tuple[dict, ...]
    footer: str = ""
    unsubscribe_label: str = ""

    def payload(self, unsubscribe_url: str) -> dict:
        if not self.footer:
            return {"text": self.text, "blocks": list(self.blocks)}
        footer = f"{self.footer} {link(unsubscribe_url, escape(self.unsubscribe_label))}"
        context = {"type": "context", "elements": [{"type": "mrkdwn", "text": footer}]}
        return {"text": self.text, "blocks": [*self.blocks, context]}


def slack_hosts() -> list[str]:
    hosts = settings.NOROSHI_SLACK_HOSTS
    entries = hosts.split(",") if isinstance(hosts, str) else hosts
    return [host.strip().lower() for host in entries if host.strip()]


class SlackChannel(Channel):
    name = "slack"

    @classmethod
    def disabled_reason(cls) -> str:
        if not slack_hosts():
            return _("Slack is not available: no Slack host is configured (NOROSHI_SLACK_HOSTS).")
        return ""

    def throttle(self, address: str = "") -> float:
        """Pace the webhook URL `address` (a caller that names none is not paced)."""
        rate = float(settings.NOROSHI_SLACK_PER_SECOND)
        if rate <= 0 or not address:
            return 0.0
        # Hashed: a webhook URL is a credential, and bucket names show in Redis.
        key = "slack:" + hashlib.sha256(address.encode()).hexdigest()
        return ratelimit.pace(ratelimit.bucket(key, rate=rate), max_sleep=MAX_SLEEP)

    def send(self, message: SlackMessage, envelope: Envelope) -> str:
        post(envelope.address, encoded(message.payload(envelope.unsubscribe_url)), HEADERS)
        return ""
