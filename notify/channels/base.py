"""What every channel is: a transport that sends a message rendered elsewhere (notify.messages)
to an address checked elsewhere (notify.addresses), and says how the send went.

A channel turns one rendered message into one provider call. It never decides who gets what,
and it reads nothing from the database.
Its errors say what is known about the message: refused for good (PermanentError), refused
before the provider took it (RetryableError: safe to try again), or gone with no answer
(UnknownOutcome: it may have been delivered, so it is never sent again blindly).

The channel classes live in notify.channels.<name> and are listed in notify.channels.CHANNELS;
a class whose settings are missing says why in `disabled_reason()`, and is then not offered.
"""

from collections.abc import Callable
from dataclasses import dataclass

# Where a message rendered once for many subscribers takes each one's unsubscribe link; the
# channel fills it in at send (`Envelope.unsubscribe_url`).
UNSUBSCRIBE_PLACEHOLDER = "{unsubscribe_url}"


class DeliveryError(Exception):
    """A send that did not succeed."""


class PermanentError(DeliveryError):
    """The provider refused this message for good (bad address, opted out, 5xx…)."""


class RetryableError(DeliveryError):
    """The provider did not take the message (connection refused, 4xx…): safe to retry.

    `retry_after`: the seconds the provider asked to be left alone (an HTTP Retry-After,
    already capped by the channel), or None when it did not say. The retry waits at least that
    long, or the usual backoff when that is longer."""

    def __init__(self, message: str, *, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class UnknownOutcome(DeliveryError):
    """The send was cut off after the provider may have taken it: never retried blindly."""


@dataclass(frozen=True)
class Envelope:
    """Where one message goes and what identifies it."""

    address: str
    idempotency_key: str
    # Filled in where the message holds UNSUBSCRIBE_PLACEHOLDER ('' when it offers none).
    unsubscribe_url: str
    # The subscriber's own secret (webhook bodies are signed with it) and public id.
    secret: str = ""
    subscriber_id: str = ""
    manage_url: str = ""
    # Where the provider reports the message's outcome later (SMS: Twilio's status callback);
    # '' when nobody waits for that report.
    status_url: str = ""


class Channel:
    """The base of the channel classes (one per provider)."""

    name = ""
    # The provider reports each message's real outcome later (SMS: Twilio's status callbacks),
    # so its taking a message does not clear the subscriber's failures; the report does.
    reports_outcome_later = False

    @classmethod
    def disabled_reason(cls) -> str:
        """Why this channel cannot be used on this installation ('' when it can)."""
        return ""

    def throttle(self, address: str = "") -> float:
        """Called before each claim: seconds until this channel may send again (0: now).

        `address` is the delivery's (its subscriber's), for a channel that paces each target
        on its own (Slack: per webhook URL); one that paces its sender (SMS) ignores it.
        A rate-limited channel waits here for a short while itself, and returns the longer
        waits so the delivery stays pending and due later."""
        return 0.0

    def open(self) -> None:
        """Prepare for a batch of sends (e.g. one SMTP connection for all of them)."""

    def close(self) -> None:
        """End the batch."""

    def send(self, message, envelope: Envelope) -> str:
        """Send one message; return the provider's id for it ('' when it gives none).

        Raises PermanentError, RetryableError or UnknownOutcome.
        """
        raise NotImplementedError

    def send_once_ready(self, message, envelope: Envelope, ready: Callable[[], None]) -> str:
        """Send as `send` does, calling `ready()` at the last moment before the provider may
        take the message; whatever `ready()` raises stops the send with nothing handed over,
        and goes up unchanged. A channel that can do some of its exchange first (SMTP: the
        envelope) overrides this, so that the caller's wait in `ready()` overlaps it."""
        ready()
        return self.send(message, envelope)
