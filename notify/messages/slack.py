"""An announcement as a Slack message (Block Kit), and the Slack answers to a sign-up.

Update bodies are Markdown written by on-call engineers, but Slack reads mrkdwn, where
`<!channel>` pings a whole channel and `<http://a|b>` disguises a link. So a body is rendered
and sanitised as everywhere else (incidents.rendering), then turned into mrkdwn from that
sanitised HTML: every piece of text is escaped (&, <, >), links are rebuilt only from the
http(s)/mailto links the sanitiser kept, and nothing of the HTML itself reaches Slack.
Component events are not sent to Slack: the outbox routes them to webhooks only.
"""

import re
from datetime import tzinfo
from html.parser import HTMLParser

from django.utils import translation
from django.utils.translation import gettext as _

from incidents import representations, selectors
from incidents.models import Incident
from incidents.rendering import render_markdown
from notify.channels.slack import SlackMessage, escape, link
from notify.choices import NotificationKind
from notify.messages import Announcement, ComponentChange, EarlierUpdate
from notify.models import Notification

HEADER_LIMIT = 150  # Block Kit: a header's text
SECTION_LIMIT = 3000  # Block Kit: a section's text
LINK_SCHEMES = ("https://", "http://", "mailto:")
WHITESPACE = re.compile(r"\s+")


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


def status_line(
    announcement: Announcement, incident: Incident, ctx: representations.PageContext
) -> str:
    """The status and the time; the incident's components when the update set none of their
    statuses (the components section names them then); a maintenance's window."""
    notification = announcement.notification
    source = notification.update or incident
    parts = [f"*{escape(str(source.get_status_display()))}*", escape(announcement.when)]
    names = [ctx.text(component, "name") for component in incident.components.all()]
    if names and not announcement.components:
        affected = _("Affected: %(components)s") % {"components": ", ".join(names)}
        parts.append(escape(affected))
    if incident.is_maintenance:
        parts.append(
            escape(_("Scheduled for %(window)s") % {"window": window_text(incident, ctx.zone)})
        )
    return " · ".join(parts)


def components_section(rows: list[ComponentChange]) -> list[dict]:
    """The statuses the update set, one line each: "API: Partial outage → Operational"."""
    if not rows:
        return []
    lines = [f"*{escape(_('Affected components'))}*"]
    lines += [f"• {escape(row.line)}" for row in rows]
    return [section("\n".join(lines))]


def fallback_text(title: str, rows: list[ComponentChange]) -> str:
    """The text Slack shows where blocks are not (notifications): the title, and the statuses
    the update set."""
    if not rows:
        return escape(title)
    return escape(f"{title} ({'; '.join(row.line for row in rows)})")


def body_of(
    notification: Notification, incident: Incident, ctx: representations.PageContext
) -> str:
    """The Markdown the message carries: the update's, or the published post-mortem's
    summary (a reminder has none: its status line gives the window)."""
    if notification.update is not None:
        return ctx.text(notification.update, "body")
    postmortem = getattr(incident, "postmortem", None)
    if notification.kind == NotificationKind.POSTMORTEM_PUBLISHED and postmortem is not None:
        return ctx.text(postmortem, "summary")
    return ""


def earlier_section(rows: list[EarlierUpdate]) -> list[dict]:
    """The incident's earlier updates, as e-mail repeats them: the storm guard folds held
    updates into the next message, which carries them here."""
    if not rows:
        return []
    lines = [f"*{escape(_('Earlier updates'))}*"]
    for row in rows:
        body = mrkdwn(row.body).replace("\n", " ")
        lines.append(f"• {escape(row.when)} · *{escape(str(row.status))}*: {body}")
    return [section("\n".join(lines))]


def render(announcement: Announcement) -> SlackMessage:
    """The Slack message of an announcement; ValueError for one of no incident."""
    notification = announcement.notification
    ctx = representations.page_context(language=announcement.language)
    incident = selectors.incident_by_public_id(announcement.incident.public_id)
    url = f"{ctx.base_url}/incidents/{incident.public_id}"
    if notification.kind == NotificationKind.POSTMORTEM_PUBLISHED:
        url += "/postmortem"
    with translation.override(announcement.language):
        title = announcement.headline
        body = mrkdwn(body_of(notification, incident, ctx))
        blocks = [
            {"type": "header", "text": plain(title)},
            section(status_line(announcement, incident, ctx)),
            *([section(body)] if body else []),
            *components_section(announcement.components),
            *earlier_section(announcement.earlier),
            button(_("Details on the status page"), url, "open_incident"),
        ]
        footer = _("You are subscribed to %(page_name)s status updates.") % {
            "page_name": ctx.text(ctx.page, "name")
        }
        text = fallback_text(title, announcement.components)
        return SlackMessage(text, tuple(blocks), escape(footer), _("Unsubscribe"))


# --- The answers to a sign-up (notify.messages.answers) ----------------------------------------


def confirmation(page_name: str, confirm_url: str) -> SlackMessage:
    """The double opt-in message, in the active language: a button to the confirm link."""
    title = _("Confirm your subscription to %(page)s status updates") % {"page": page_name}
    asked = _(
        "Someone (we hope you) asked to post %(page)s status updates to this Slack "
        "channel. Nothing more is posted until the subscription is confirmed."
    ) % {"page": page_name}
    ignore = _("If it was not you, ignore this message: nothing more will be sent.")
    blocks = (
        {"type": "header", "text": plain(title)},
        section(escape(asked)),
        button(_("Confirm your subscription"), confirm_url, "confirm"),
        {"type": "context", "elements": [{"type": "mrkdwn", "text": escape(ignore)}]},
    )
    return SlackMessage(escape(title), blocks)


def notice(page_name: str, notice_text: str, manage_url: str) -> SlackMessage:
    """The answer to a sign-up of a channel subscribed already, in the active language: what
    stands (`notice_text`), and a button to the manage link."""
    title = _("Your subscription to %(page)s status updates") % {"page": page_name}
    blocks = (
        {"type": "header", "text": plain(title)},
        section(escape(notice_text)),
        button(_("Manage your subscription"), manage_url, "manage"),
    )
    return SlackMessage(escape(title), blocks)
