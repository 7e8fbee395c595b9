"""E-mail through Django's configured backend (SMTP, an ESP via django-anymail, or files)."""

import contextlib
import re
import smtplib
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.core.validators import validate_email

from notify.channels.base import (
    Channel,
    Envelope,
    PermanentError,
    RetryableError,
    UnknownOutcome,
)
from notify.channels.mime import FIXED_HEADERS, PreparedEmail, personal

# A line of the data that starts with a dot: doubled, so that it cannot end the data (RFC 5321
# §4.5.2), as smtplib does.
LEADING_DOT = re.compile(rb"(?m)^\.")


class EmailChannel(Channel):
    name = "email"

    def __init__(self):
        self.connection = None

    @classmethod
    def normalise(cls, address: str) -> str:
        from django.utils.translation import gettext

        address = (address or "").strip()
        try:
            validate_email(address)
        except ValidationError as error:
            message = gettext("“%(address)s” is not an e-mail address.") % {"address": address}
            raise ValidationError({"address": message}, code="invalid") from error
        local, _, domain = address.rpartition("@")
        return f"{local}@{domain.lower()}"

    def send_confirmation(self, subscriber) -> bool:
        from notify.confirmations import send_confirmation_email

        return send_confirmation_email(subscriber)

    def render(self, notification, language: str) -> PreparedEmail:
        from notify.messages import render_email

        return PreparedEmail(render_email(notification, language))

    def open(self) -> None:
        self.connection = get_connection(fail_silently=False)
        try:
            self.connection.open()
        except (OSError, smtplib.SMTPException) as error:
            # Nothing was sent on a connection that never opened.
            self.connection = None
            raise RetryableError(f"could not connect: {error}") from error

    def close(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self.connection.close()
            self.connection = None

    def send(self, message: PreparedEmail, envelope: Envelope) -> str:
        return self.send_once_ready(message, envelope, ready=lambda: None)

    def send_once_ready(
        self, message: PreparedEmail, envelope: Envelope, ready: Callable[[], None]
    ) -> str:
        if self.connection is None:
            self.open()
        try:
            if type(self.connection) is SmtpBackend:
                # Django's own SMTP backend: the prepared bytes, straight to its smtplib client.
                to, data = message.fill(envelope)
                client = self.connection.connection
                if client is None:  # closed by someone else: nothing was sent
                    raise RetryableError("the SMTP connection is closed")
                self.transmit(client, message.envelope_from, to, data, ready)
                return ""
            email = self.email(message, envelope)
            ready()
            email.send()
        except smtplib.SMTPRecipientsRefused as error:
            # The server answered the RCPT: a 5xx is for good, a 4xx says try later.
            codes = [code for code, _ in error.recipients.values()]
            kind = PermanentError if codes and min(codes) >= 500 else RetryableError
            raise kind(f"recipient refused: {error.recipients}") from error
        except smtplib.SMTPResponseException as error:
            # An SMTP reply is an answer: the server did not take the message.
            kind = PermanentError if error.smtp_code >= 500 else RetryableError
            raise kind(f"SMTP {error.smtp_code}: {error.smtp_error!r}") from error
        except (TimeoutError, smtplib.SMTPServerDisconnected, OSError) as error:
            self.connection = None
            raise UnknownOutcome(f"connection lost while sending: {error}") from error
        # An ESP through django-anymail names the message; its bounce and complaint webhooks
        # then find the delivery by that id (notify.email_feedback).
        status = getattr(email, "anymail_status", None)
        message_id = getattr(status, "message_id", None)
        return "" if message_id is None else str(message_id)[:200]

    def transmit(
        self, client: smtplib.SMTP, sender: str, to: str, data: bytes, ready: Callable[[], None]
    ) -> None:
        """smtplib's sendmail() for one recipient, with `ready()` called between the server's
        go-ahead for the data (354) and the data: until the data's end the server has nothing
        to deliver, so the envelope's round trips overlap whatever `ready()` waits for."""
        client.ehlo_or_helo_if_needed()
        options = [f"size={len(data)}"] if client.does_esmtp and client.has_extn("size") else []
        code, reply = client.mail(sender, options)
        if code != 250:
            self.give_up(client, code)
            raise smtplib.SMTPSenderRefused(code, reply, sender)
        code, reply = client.rcpt(to)
        if code not in (250, 251):
            self.give_up(client, code)
            raise smtplib.SMTPRecipientsRefused({to: (code, reply)})
        code, reply = client.docmd("data")
        if code != 354:
            self.give_up(client, code)
            raise smtplib.SMTPDataError(code, reply)
        handed = False
        try:
            ready()
            handed = True
        finally:
            if not handed:  # in DATA the only way out is to hang up: the server drops it all
                client.close()
                self.connection = None
        body = LEADING_DOT.sub(b"..", data)
        client.send(body + (b"" if body.endswith(b"\r\n") else b"\r\n") + b".\r\n")
        code, reply = client.getreply()
        if code != 250:
            self.give_up(client, code)
            raise smtplib.SMTPDataError(code, reply)

    def give_up(self, client: smtplib.SMTP, code: int) -> None:
        """After a refusal, as smtplib does: 421 closes the session, anything else resets it."""
        if code == 421:
            client.close()
            self.connection = None
            return
        with contextlib.suppress(smtplib.SMTPServerDisconnected):
            client.rset()

    def email(self, message: PreparedEmail, envelope: Envelope) -> EmailMultiAlternatives:
        """The message as an object, for backends other than Django's SMTP one."""
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=personal(message.content.text, envelope),
            from_email=message.from_email,
            to=[envelope.address],
            headers={
                "List-Unsubscribe": f"<{envelope.unsubscribe_url}>",
                "X-Noroshi-Delivery": envelope.idempotency_key,
                **FIXED_HEADERS,
            },
            connection=self.connection,
        )
        email.attach_alternative(personal(message.content.html, envelope), "text/html")
        return email
