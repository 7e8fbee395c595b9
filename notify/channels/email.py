"""E-mail through Django's configured backend (SMTP, an ESP via django-anymail, or files).

With Django's SMTP backend each message is one SMTP transaction on the batch's connection,
and what is known of the message decides its error: an answer is a refusal (5xx for good, 4xx
retried); a connection lost or timed out before DATA sent nothing (retried); one lost after
the message's DATA may have handed it over (UnknownOutcome). A connection that cannot be opened
(refused, or no greeting within EMAIL_TIMEOUT) is not tried again for the rest of the batch:
a hung server costs one timeout per batch, not one per message.
"""

import contextlib
import functools
import re
import smtplib
from collections.abc import Callable

import requests
from anymail.exceptions import AnymailError, AnymailRecipientsRefused
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.filebased import EmailBackend as FileBackend
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from urllib3.exceptions import ConnectTimeoutError

from notify.channels.base import (
    Channel,
    DeliveryError,
    Envelope,
    PermanentError,
    RetryableError,
    UnknownOutcome,
)
from notify.channels.mime import PLAIN_ADDRESS, PreparedEmail, personal

# A request to an ESP that failed before it left this machine: the ESP has nothing.
NEVER_SENT = (requests.exceptions.ConnectTimeout, requests.exceptions.SSLError)
# A line of the data that starts with a dot: doubled, so that it cannot end the data (RFC 5321
# §4.5.2), as smtplib does.
LEADING_DOT = re.compile(rb"(?m)^\.")


class EmailChannel(Channel):
    name = "email"

    def __init__(self):
        self.connection = None
        self.unreachable = ""  # why the batch's connection could not be opened

    def open(self) -> None:
        if self.unreachable:
            raise RetryableError(self.unreachable)
        self.connection = get_connection(fail_silently=False)
        try:
            self.connection.open()
        except (OSError, smtplib.SMTPException) as error:
            # Nothing was sent on a connection that never opened.
            self.connection = None
            self.unreachable = f"could not connect: {error}"
            raise RetryableError(self.unreachable) from error

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
        if type(self.connection) is SmtpBackend and not smtp_client(self.connection):
            self.drop()  # closed by the server's 421, or by someone else: open a new one
        if self.connection is None:
            self.open()
        if type(self.connection) is SmtpBackend:
            # Django's own SMTP backend: the prepared bytes, straight to its smtplib client.
            client = smtp_client(self.connection)
            if client is None:  # closed as soon as opened: nothing was sent
                self.drop()
                raise RetryableError("the SMTP connection closed before the message")
            to, data = message.fill(envelope)
            self.transmit(client, message.envelope_from, to, data, ready)
            return ""
        email = self.email(message, envelope)
        ready()
        try:
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
        except AnymailError as error:  # before OSError: its HTTP errors are requests' too
            raise esp_failure(error) from error
        except OSError as error:
            local = isinstance(self.connection, FileBackend)
            self.connection = None
            if local:  # a file not written (var/ full…): nobody has it
                raise RetryableError(f"could not write the message: {error}") from error
            raise UnknownOutcome(f"connection lost while sending: {error}") from error
        # An ESP through django-anymail names the message; its bounce and complaint webhooks
        # then find the delivery by that id (notify.email_feedback).
        status = getattr(email, "anymail_status", None)
        message_id = getattr(status, "message_id", None)
        return "" if message_id is None else str(message_id)[:200]

    def transmit(
        self, client: smtplib.SMTP, sender: str, to: str, data: bytes, ready: Callable[[], None]
    ) -> None:
        """One SMTP transaction for one recipient on the open connection, as smtplib's
        sendmail does it, its failure classified by how far it went (see the module), with
        `ready()` called between the server's go-ahead for the data (354) and the data: until
        the data's end the server has nothing to deliver, so the envelope's round trips overlap
        whatever `ready()` waits for (the attempt's mark, notify.delivery.attempts)."""
        try:
            client.ehlo_or_helo_if_needed()
            size = [f"size={len(data)}"] if client.does_esmtp and client.has_extn("size") else []
            # As smtplib's mail() and rcpt() write them, without parsing the addresses again.
            mail_from = " ".join([f"from:{quoted(sender)}", *size])
            refuse_unless(client, "MAIL FROM", client.docmd("mail", mail_from), 250)
            refuse_unless(client, "RCPT TO", client.docmd("rcpt", f"to:{quoted(to)}"), 250, 251)
            refuse_unless(client, "DATA", client.docmd("data"), 354)
        except smtplib.SMTPResponseException as error:  # the greeting's EHLO/HELO refused
            raise refusal(client, "EHLO", error.smtp_code, error.smtp_error) from error
        except OSError as error:  # smtplib's SMTPServerDisconnected and timeouts included
            self.drop()
            raise RetryableError(f"connection lost before the message was sent: {error}") from error
        try:
            ready()
        except BaseException:
            self.drop()  # in DATA the only way out is to hang up: the server drops it all
            raise
        self.send_data(client, data)

    def send_data(self, client: smtplib.SMTP, data: bytes) -> None:
        """The message's data after the 354, and the server's answer to its end."""
        body = LEADING_DOT.sub(b"..", data)
        try:
            client.send(body + (b"" if body.endswith(b"\r\n") else b"\r\n") + b".\r\n")
            answer = client.getreply()
        except OSError as error:
            self.drop()
            raise UnknownOutcome(f"connection lost after the message was sent: {error}") from error
        refuse_unless(client, "DATA", answer, 250)

    def drop(self) -> None:
        """Forget a broken connection (no QUIT: it would wait on a dead peer); the next message
        opens a new one."""
        client = getattr(self.connection, "connection", None)
        if client is not None:
            with contextlib.suppress(OSError):
                client.close()
        self.connection = None

    def email(self, message: PreparedEmail, envelope: Envelope) -> EmailMultiAlternatives:
        """The message as an object, for backends other than Django's SMTP one."""
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=personal(message.content.text, envelope),
            from_email=message.from_email,
            to=[envelope.address],
            headers=message.headers(envelope),
            connection=self.connection,
        )
        if message.content.html:
            email.attach_alternative(personal(message.content.html, envelope), "text/html")
        return email


def esp_failure(error: AnymailError) -> DeliveryError:
    """What an ESP's error (through django-anymail) says of the message: an answer is a
    refusal (429, 5xx and our own 401/403 retried, other 4xx for good), a request that never
    left is retried, one that left and got no answer may have been sent."""
    text = " ".join(str(error).split())
    if isinstance(error, AnymailRecipientsRefused):
        return PermanentError(f"the ESP refused the address: {text}")
    status = error.status_code
    if status is not None:
        retry = status in (401, 403, 429) or status >= 500
        return (RetryableError if retry else PermanentError)(f"ESP HTTP {status}: {text}")
    cause = error.__cause__
    reason = getattr(cause.args[0], "reason", None) if cause and cause.args else None
    if isinstance(cause, NEVER_SENT) or isinstance(reason, ConnectTimeoutError):
        return RetryableError(f"could not reach the ESP: {cause}")
    return UnknownOutcome(f"no answer from the ESP after the message was sent: {cause or text}")


@functools.lru_cache(maxsize=256)
def quoted_once(address: str) -> str:
    return smtplib.quoteaddr(address)


def quoted(address: str) -> str:
    """An envelope address as smtplib quotes it: `<address>` (the sender: parsed once)."""
    if PLAIN_ADDRESS.fullmatch(address):
        return f"<{address}>"
    return quoted_once(address)


def smtp_client(backend: SmtpBackend) -> smtplib.SMTP | None:
    """The backend's smtplib client while its socket is open (smtplib closes it on a 421)."""
    client = backend.connection
    return client if client is not None and client.sock is not None else None


def refusal(client: smtplib.SMTP, command: str, code: int, reply: bytes | str) -> DeliveryError:
    """The server answered `code` to `command`: it did not take the message. A 5xx is for good,
    anything else is retried. After 421 the server closes the connection (smtplib with it);
    after another refusal RSET readies it for the next message."""
    if code == 421:
        client.close()
    else:
        with contextlib.suppress(OSError):  # lost as well: the next message sees it
            client.rset()
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    kind = PermanentError if code >= 500 else RetryableError
    return kind(f"SMTP {code} after {command}: {text}")


def refuse_unless(client: smtplib.SMTP, command: str, answer: tuple, *accepted: int) -> None:
    code, reply = answer
    if code not in accepted:
        raise refusal(client, command, code, reply)
