"""An announcement's e-mail encoded once, and filled in for each subscriber as bytes.

Django's EmailMultiAlternatives builds, folds and encodes every header and part anew for each
message: about 0.4 ms of CPU, most of a sending worker's time at hundreds of messages a second.
An announcement's e-mail is the same for every subscriber who reads its language except for
the recipient, their two links (in both bodies and in List-Unsubscribe), the delivery key, and
the Date and Message-ID. `PreparedEmail` encodes the rest once — Subject and From by Django
itself, so they come out as Django would write them — and `fill()` joins the parts.

The bodies are sent as Django sends them: UTF-8, `8bit` when every line fits SMTP's 998-octet
limit. A body with a longer line goes as base64 (Django chooses quoted-printable there; both
are valid and decode to the same text), encoded from the filled-in text, never patched after
encoding. Only Django's own SMTP backend takes these bytes; any other backend (an ESP through
django-anymail, the file or console backend) gets an EmailMultiAlternatives built from the
same content.
"""

import base64
import random
import re
import sys
from dataclasses import dataclass
from email.utils import formatdate, make_msgid

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.message import sanitize_address
from django.core.mail.utils import DNS_NAME

from notify.channels.base import UNSUBSCRIBE_PLACEHOLDER, Envelope

# An address sanitize_address would return unchanged (ASCII dot-atom, no display name).
PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9.-]+")
# The headers every announcement carries, whichever backend sends it.
FIXED_HEADERS = {
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    "Auto-Submitted": "auto-generated",
}
# An answer to a sign-up is not a subscription's message: it offers no unsubscribing.
ANSWER_HEADERS = {"Auto-Submitted": "auto-generated"}
SMTP_LINE_LIMIT = 998  # octets, without the CRLF (RFC 5322 §2.1.1)
CHARSET = "utf-8"
MANAGE_PLACEHOLDER = "{manage_url}"


@dataclass(frozen=True)
class EmailContent:
    """What an e-mail says: its subject, its text and its HTML ('' for a text-only e-mail),
    the subscriber's links as UNSUBSCRIBE_PLACEHOLDER and MANAGE_PLACEHOLDER. The subject is
    kept on one line, its line breaks and runs of whitespace made single spaces."""

    subject: str
    text: str
    html: str

    def __post_init__(self) -> None:
        # A header is one line. A name may hold a line break (the API, an alert's labels and
        # an import let one through), and Django refuses a whole message whose subject has one.
        object.__setattr__(self, "subject", " ".join(self.subject.split()))


def personal(rendered: str, envelope: Envelope) -> str:
    """A text rendered once for everyone, with this subscriber's own links filled in."""
    return rendered.replace(UNSUBSCRIBE_PLACEHOLDER, envelope.unsubscribe_url).replace(
        MANAGE_PLACEHOLDER, envelope.manage_url
    )


def header(name: str, value: str) -> bytes:
    """One header field of an ASCII value that Noroshi made (a link, a key, an address already
    encoded by sanitize_address), on one line."""
    if "\r" in value or "\n" in value:
        raise ValueError(f"{name}: a header value may not hold a line break")
    line = f"{name}: {value}\r\n".encode("ascii")
    if len(line) > SMTP_LINE_LIMIT + 2:
        raise ValueError(f"{name}: longer than {SMTP_LINE_LIMIT} octets")
    return line


def django_fields(subject: str, from_email: str) -> bytes:
    """Subject and From as Django encodes and folds them (non-ASCII as encoded words)."""
    message = EmailMessage(subject=subject, body="", from_email=from_email).message()
    head = message.as_bytes().split(b"\n\n", 1)[0]
    fields, keep = [], False
    for line in (line + b"\r\n" for line in head.split(b"\n")):
        if line[:1] not in (b" ", b"\t"):  # a field starts; the others continue it
            keep = line.split(b":", 1)[0].lower() in (b"subject", b"from")
        if keep:
            fields.append(line)
    return b"".join(fields)


def crlf(text: str) -> bytes:
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode(CHARSET)


def encoded_body(text: str) -> tuple[bytes, bytes]:
    """A text's Content-Transfer-Encoding and its body: base64 when a line is too long."""
    body = crlf(text)
    if len(body) > SMTP_LINE_LIMIT and max(map(len, body.split(b"\r\n"))) > SMTP_LINE_LIMIT:
        return b"base64", base64.encodebytes(body).replace(b"\n", b"\r\n")
    return b"8bit", body


def content_type(subtype: str) -> bytes:
    return b"Content-Type: text/" + subtype.encode("ascii") + b'; charset="utf-8"\r\n'


def part(subtype: str, text: str) -> bytes:
    """One text part, its headers as Django writes them."""
    encoding, body = encoded_body(text)
    return (
        content_type(subtype) + b"MIME-Version: 1.0\r\n"
        b"Content-Transfer-Encoding: " + encoding + b"\r\n\r\n" + body
    )


def boundary() -> str:
    # As the email package makes them: '=' runs do not occur in base64 or in our 8bit text.
    return "=" * 15 + f"{random.randrange(sys.maxsize):019d}" + "=="


class PreparedEmail:
    """The e-mail of one announcement in one language: the parts every subscriber shares,
    encoded once (`content` keeps the text for backends that want a message object). An
    e-mail that does not `offer_unsubscribe` (the answer to a sign-up) has no List-Unsubscribe
    headers."""

    def __init__(
        self,
        content: EmailContent,
        from_email: str | None = None,
        *,
        offer_unsubscribe: bool = True,
    ):
        self.content = content
        self.from_email = from_email or settings.DEFAULT_FROM_EMAIL
        self.envelope_from = sanitize_address(self.from_email, CHARSET)
        self.offer_unsubscribe = offer_unsubscribe
        self.fixed_headers = FIXED_HEADERS if offer_unsubscribe else ANSWER_HEADERS
        self.shared = (
            b"MIME-Version: 1.0\r\n"
            + django_fields(content.subject, self.from_email)
            + b"".join(header(name, value) for name, value in self.fixed_headers.items())
        )

    @property
    def subject(self) -> str:
        return self.content.subject

    def headers(self, envelope: Envelope) -> dict[str, str]:
        """The headers Django does not write itself, for a backend that builds the message."""
        listed = {"List-Unsubscribe": f"<{envelope.unsubscribe_url}>"}
        return {
            **(listed if self.offer_unsubscribe else {}),
            "X-Noroshi-Delivery": envelope.idempotency_key,
            **self.fixed_headers,
        }

    def fill(self, envelope: Envelope) -> tuple[str, bytes]:
        """The envelope recipient and the message's bytes (CRLF line ends) for this
        subscriber."""
        to = envelope.address
        if not PLAIN_ADDRESS.fullmatch(to):  # an IDN domain, a display name…: encode it
            to = sanitize_address(to, CHARSET)
        personal_head = (
            header("To", to)
            + header("Date", formatdate(localtime=settings.EMAIL_USE_LOCALTIME))
            + header("Message-ID", make_msgid(domain=DNS_NAME))
        )
        if self.offer_unsubscribe:
            personal_head += header("List-Unsubscribe", f"<{envelope.unsubscribe_url}>")
        personal_head += header("X-Noroshi-Delivery", envelope.idempotency_key)
        if not self.content.html:
            return to, self.text_only(personal_head, envelope)
        return to, self.alternatives(personal_head, envelope)

    def text_only(self, personal_head: bytes, envelope: Envelope) -> bytes:
        """A text/plain message, its part's headers at the top as Django writes them."""
        encoding, body = encoded_body(personal(self.content.text, envelope))
        head = (
            content_type("plain")
            + self.shared
            + b"Content-Transfer-Encoding: "
            + encoding
            + b"\r\n"
            + personal_head
        )
        return head + b"\r\n" + body

    def alternatives(self, personal_head: bytes, envelope: Envelope) -> bytes:
        """A multipart/alternative message of the text and the HTML."""
        text = part("plain", personal(self.content.text, envelope))
        html = part("html", personal(self.content.html, envelope))
        mark = boundary()
        while mark.encode() in text or mark.encode() in html:  # pragma: no cover - 1 in 2**63
            mark = boundary()
        dash = b"--" + mark.encode("ascii")
        head = (
            header("Content-Type", f'multipart/alternative; boundary="{mark}"')
            + self.shared
            + personal_head
        )
        # Each delimiter starts with a CRLF of its own (RFC 2046 §5.1.1): a body keeps its last
        # line end.
        return b"\r\n".join((head, dash, text, dash, html, dash + b"--", b""))
