"""Slack: Block Kit messages POSTed to a Slack incoming-webhook URL through notify.netguard.

Update bodies are Markdown written by on-call engineers, but Slack reads mrkdwn, where
`<!channel>` pings a whole channel and `<http://a|b>` disguises a link. So a body is rendered
and sanitised as everywhere else (incidents.rendering), then turned into mrkdwn from that
sanitised HTML: every piece of text is escaped (&, <, >), links are rebuilt only from the
http(s)/mailto links the sanitiser kept, and nothing of the HTML itself reaches Slack.

Slack answers 200 "ok"; 404 no_service, 410 channel_is_archived, 403 and 400 are final;
429 and 5xx are retried, no sooner than the Retry-After of a 429 or 503 asks
(notify.channels.webhook.raise_for_status). Slack takes about one message per second per
incoming webhook, so each webhook URL has a token bucket of its own (NOROSHI_SLACK_PER_SECOND,
notify.ratelimit: shared through Redis when REDIS_URL is set).
Component events are not sent to Slack: the outbox routes them to webhooks only.
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import tzinfo
from html.parser import HTMLParser

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from incidents import selectors
from incidents.models import Incident
from incidents.rendering import render_markdown
from incidents.representations import PageContext, page_context
from notify import netpolicy, ratelimit
from notify.channels.base import Channel, Envelope
from notify.channels.webhook import USER_AGENT, post, refused_address
from notify.choices import NotificationKind
from notify.messages import earlier_updates, headline
from notify.models import Notification, Subscriber
from notify.payloads import encoded
from notify.signing import confirm_url, manage_url

SERVICES_PATH = re.compile(r"^/services/[A-Za-z0-9]+/[A-Za-z0-9]+/[A-Za-z0-9]+$")
HEADER_LIMIT = 150  # Block Kit: a header's text
SECTION_LIMIT = 3000  # Block Kit: a section's text
LINK_SCHEMES = ("https://", "http://", "mailto:")
WHITESPACE = re.compile(r"\s+")
HEADERS = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
# throttle(): a token at most this far away is waited for; a later one postpones the delivery.
MAX_SLEEP = 1.0


def escape(text: str) -> str:
    """Text made inert for mrkdwn: Slack reads only these three as markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def link(url: str, text: str) -> str:
    """A mrkdwn link; `text` is already escaped."""
    return f"<{escape(url).replace('|', '%7C')}|{text}>"


# --- Sanitised HTML to mrkdwn -------------------------------------------------------------------

OPEN = {
    "strong": "*", "b": "*", "em": "_", "i": "_", "code": "`", "p": "\n\n", "blockquote": "\n\n",
    "pre": "\n```\n", "h3": "\n\n*", "h4": "\n\n*", "h5": "\n\n*", "h6": "\n\n*", "br": "\n",
    "hr": "\n\n———\n\n", "table": "\n\n", "tr": "\n",
}  # fmt: skip
CLOSE = {
    "strong": "*", "b": "*", "em": "_", "i": "_", "code": "`", "p": "\n\n", "blockquote": "\n\n",
    "pre": "\n```\n", "h3": "*\n", "h4": "*\n", "h5": "*\n", "h6": "*\n", "td": "  ", "th": "  ",
}  # fmt: skip


class MrkdwnWriter(HTMLParser):
    """The text of sanitised HTML as mrkdwn: emphasis, code, lists, links; all text escaped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.href: str | None = None
        self.link_text: list[str] = []
        self.lists: list[int] = []  # per open list: items so far (ol), or -1 (ul)
        self.in_pre = False

    def out(self) -> list[str]:
        return self.link_text if self.href is not None else self.parts

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "a":
            href = dict(attrs).get("href") or ""
            self.href = href if href.startswith(LINK_SCHEMES) else None
            self.link_text = []
        elif tag == "li":
            indent = "    " * (len(self.lists) - 1)
            self.out().append(("" if self.after(" \n") == "\n" else "\n") + indent + self.bullet())
        elif tag in ("ul", "ol"):
            self.lists.append(0 if tag == "ol" else -1)
        elif not (tag == "code" and self.in_pre):
            self.in_pre = self.in_pre or tag == "pre"
            self.out().append(self.mark(tag, OPEN))

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.href is not None:
            text = "".join(self.link_text).strip() or escape(self.href)
            href, self.href = self.href, None
            self.parts.append(link(href, text))
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            self.out().append("\n")
        elif not (tag == "code" and self.in_pre):
            self.in_pre = self.in_pre and tag != "pre"
            self.out().append(self.mark(tag, CLOSE))

    def handle_data(self, data: str) -> None:
        if not self.in_pre:
            # The HTML's own line breaks and indentation are not the text's.
            data = WHITESPACE.sub(" ", data)
            data = data.lstrip(" ") if self.after(" \n") else data
        self.out().append(escape(data))

    def after(self, characters: str) -> str:
        """The last character written if it is one of `characters` (or at the start)."""
        last = next((part for part in reversed(self.out()) if part), "\n")[-1]
        return last if last in characters else ""

    def mark(self, tag: str, marks: dict[str, str]) -> str:
        # A list item's paragraphs stay in the item: a line break, not a blank line.
        if tag == "p" and self.lists:
            return "\n" if marks is CLOSE else ""
        return marks.get(tag, "")

    def bullet(self) -> str:
        if not self.lists or self.lists[-1] < 0:
            return "• "
        self.lists[-1] += 1
        return f"{self.lists[-1]}. "

    def text(self) -> str:
        text = re.sub(r"[ \t]+\n", "\n", "".join(self.parts))
        return re.sub(r"\n{3,}", "\n\n", text).strip()


def mrkdwn(markdown_text: str) -> str:
    """An update body (Markdown) as mrkdwn, from its sanitised HTML."""
    writer = MrkdwnWriter()
    writer.feed(str(render_markdown(markdown_text)))
    writer.close()
    return writer.text()


def clipped(text: str, limit: int) -> str:
    """`text` cut to `limit` characters without leaving half a link or entity behind."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if cut.rfind("<") > cut.rfind(">"):
        cut = cut[: cut.rfind("<")]
    if cut.rfind("&") > cut.rfind(";"):
        cut = cut[: cut.rfind("&")]
    return cut + "…"


# --- Messages -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlackMessage:
    """One rendering for every subscriber of a language; `send` adds the per-subscriber
    footer (the unsubscribe link) as the last block."""

    text: str
    blocks: tuple[dict, ...]
    footer: str
    unsubscribe_label: str

    def payload(self, unsubscribe_url: str) -> dict:
        footer = f"{self.footer} {link(unsubscribe_url, escape(self.unsubscribe_label))}"
        context = {"type": "context", "elements": [{"type": "mrkdwn", "text": footer}]}
        return {"text": self.text, "blocks": [*self.blocks, context]}


def plain(text: str, limit: int = HEADER_LIMIT) -> dict:
    return {"type": "plain_text", "text": clipped(text, limit), "emoji": True}


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clipped(text, SECTION_LIMIT)}}


def button(label: str, url: str, action_id: str) -> dict:
    element = {"type": "button", "text": plain(label, 75), "url": url, "action_id": action_id}
    return {"type": "actions", "elements": [element]}


def window_text(incident: Incident, zone: tzinfo) -> str:
    """The maintenance window in the page's zone, e.g. "2026-03-07 02:00 – 04:00 JST"."""
    assert incident.scheduled_for and incident.scheduled_until  # a maintenance has its window
    start = incident.scheduled_for.astimezone(zone)
    end = incident.scheduled_until.astimezone(zone)
    end_format = "%H:%M" if start.date() == end.date() else "%Y-%m-%d %H:%M"
    return f"{start:%Y-%m-%d %H:%M} – {end.strftime(end_format)} {end.tzname()}"


def status_line(notification: Notification, incident: Incident, ctx: PageContext) -> str:
    source = notification.update or incident
    parts = [f"*{escape(str(source.get_status_display()))}*"]
    names = [ctx.text(component, "name") for component in incident.components.all()]
    if names:
        affected = _("Affected: %(components)s") % {"components": ", ".join(names)}
        parts.append(escape(affected))
    if incident.is_maintenance:
        parts.append(
            escape(_("Scheduled for %(window)s") % {"window": window_text(incident, ctx.zone)})
        )
    return " · ".join(parts)


def body_of(notification: Notification, incident: Incident, ctx: PageContext) -> str:
    """The Markdown the message carries: the update's, or the published post-mortem's
    summary (a reminder has none: its status line gives the window)."""
    if notification.update is not None:
        return ctx.text(notification.update, "body")
    postmortem = getattr(incident, "postmortem", None)
    if notification.kind == NotificationKind.POSTMORTEM_PUBLISHED and postmortem is not None:
        return ctx.text(postmortem, "summary")
    return ""


def earlier_section(notification: Notification, language: str) -> list[dict]:
    """The incident's earlier updates, as e-mail repeats them: the storm guard folds held
    updates into the next message, which carries them here."""
    rows = earlier_updates(notification, language)
    if not rows:
        return []
    lines = [f"*{escape(_('Earlier updates'))}*"]
    for row in rows:
        body = mrkdwn(row.body).replace("\n", " ")
        lines.append(f"• {escape(row.when)} · *{escape(str(row.status))}*: {body}")
    return [section("\n".join(lines))]


def announcement(notification: Notification, language: str) -> SlackMessage:
    """The Slack message of a notification in `language`."""
    if notification.incident is None:
        raise ValueError(f"Slack announces incidents, not {notification.kind}")
    ctx = page_context(language=language)
    incident = selectors.incident_by_public_id(notification.incident.public_id)
    url = f"{ctx.base_url}/incidents/{incident.public_id}"
    if notification.kind == NotificationKind.POSTMORTEM_PUBLISHED:
        url += "/postmortem"
    with translation.override(language):
        title = headline(notification, language)
        body = mrkdwn(body_of(notification, incident, ctx))
        blocks = [
            {"type": "header", "text": plain(title)},
            section(status_line(notification, incident, ctx)),
            *([section(body)] if body else []),
            *earlier_section(notification, language),
            button(_("Details on the status page"), url, "open_incident"),
        ]
        footer = _("You are subscribed to %(page_name)s status updates.") % {
            "page_name": ctx.text(ctx.page, "name")
        }
        return SlackMessage(escape(title), tuple(blocks), escape(footer), _("Unsubscribe"))


def confirmation(subscriber: Subscriber) -> dict:
    """The double opt-in message: a button to the signed confirm link."""
    page = selectors.page_settings()
    with translation.override(subscriber.language):
        name = selectors.localized(page, "name", subscriber.language)
        title = _("Confirm your subscription to %(page)s status updates") % {"page": name}
        asked = _(
            "Someone (we hope you) asked to post %(page)s status updates to this Slack "
            "channel. Nothing more is posted until the subscription is confirmed."
        ) % {"page": name}
        ignore = _("If it was not you, ignore this message: nothing more will be sent.")
        blocks = [
            {"type": "header", "text": plain(title)},
            section(escape(asked)),
            button(_("Confirm your subscription"), confirm_url(subscriber), "confirm"),
            {"type": "context", "elements": [{"type": "mrkdwn", "text": escape(ignore)}]},
        ]
    return {"text": escape(title), "blocks": blocks}


def notice(subscriber: Subscriber, state: str) -> dict:
    """The answer to a sign-up of a channel subscribed already: what stands, and a button to
    the signed manage link."""
    from notify.confirmations import notice_text

    page = selectors.page_settings()
    with translation.override(subscriber.language):
        name = selectors.localized(page, "name", subscriber.language)
        title = _("Your subscription to %(page)s status updates") % {"page": name}
        blocks = [
            {"type": "header", "text": plain(title)},
            section(escape(notice_text(state, name))),
            button(_("Manage your subscription"), manage_url(subscriber), "manage"),
        ]
    return {"text": escape(title), "blocks": blocks}


# --- The channel --------------------------------------------------------------------------


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

    @classmethod
    def normalise(cls, address: str) -> str:
        try:
            target = netpolicy.check_url((address or "").strip())
        except netpolicy.Refused as error:
            raise refused_address(error) from error
        if (
            target.scheme != "https"
            or target.host not in slack_hosts()
            or not SERVICES_PATH.match(target.path)
        ):
            message = _(
                "“%(url)s” is not a Slack incoming-webhook URL "
                "(https://hooks.slack.com/services/…)."
            ) % {"url": address.strip()}
            raise ValidationError({"address": message}, code="invalid")
        return target.url

    def send_confirmation(self, subscriber) -> bool:
        post(subscriber.address, encoded(confirmation(subscriber)), HEADERS)
        return True

    def send_notice(self, subscriber, state: str) -> bool:
        post(subscriber.address, encoded(notice(subscriber, state)), HEADERS)
        return True

    def render(self, notification, language: str) -> SlackMessage:
        return announcement(notification, language)

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
