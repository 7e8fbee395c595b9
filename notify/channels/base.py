"""What every channel is: one `send` per message, and errors that say what is known.

A channel turns one rendered message into one provider call. It never decides who gets what.
Its errors say what is known about the message: refused for good (PermanentError), refused
before the provider took it (RetryableError: safe to try again), or gone with no answer
(UnknownOutcome: it may have been delivered, so it is never sent again blindly).
"""

from dataclasses import dataclass


class DeliveryError(Exception):
    """A send that did not succeed."""


class PermanentError(DeliveryError):
    """The provider refused this message for good (bad address, opted out, 5xx…)."""


class RetryableError(DeliveryError):
    """The provider did not take the message (connection refused, 4xx…): safe to retry."""


class UnknownOutcome(DeliveryError):
    """The send was cut off after the provider may have taken it: never retried blindly."""


@dataclass(frozen=True)
class Envelope:
    """Where one message goes and what identifies it."""

    address: str
    idempotency_key: str
    unsubscribe_url: str


class Channel:
    """The base of the channel classes in notify.channels (one per provider)."""

    name = ""

    def open(self) -> None:
        """Prepare for a batch of sends (e.g. one SMTP connection for all of them)."""

    def close(self) -> None:
        """End the batch."""

    def send(self, message, envelope: Envelope) -> str:
        """Send one message; return the provider's id for it ('' when it gives none).

        Raises PermanentError, RetryableError or UnknownOutcome.
        """
        raise NotImplementedError
