"""Writes asked for once: the idempotency keys of the console's forms (and, later, of the
management API's Idempotency-Key header)."""

from django.db import models
from django.utils import timezone


class IdempotencyKey(models.Model):
    """A key a client sent with a write, claimed in that write's own transaction, with what the
    write made.

    The console renders a one-time key in each form; an API client sends its own. A request
    that comes again with the same key (a double click, a retry after a timeout, back and
    resubmit) finds the row and is answered with the first one's result, writing nothing.
    The unique key makes two concurrent requests claim it once: the second waits for the
    first's transaction and then finds its row (or, if it rolled back, claims the key itself).
    """

    # Whose keys these are: "user:<id>" for the console; keys of different owners never meet.
    owner = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    # A digest of what was asked with the key: the same key sent with another request is
    # told apart from a plain retry (the API refuses it).
    fingerprint = models.CharField(max_length=64)
    # What the write made or changed ("app_label.model_name" and primary key): the console
    # sends a retry there.
    result_type = models.CharField(max_length=64, blank=True)
    result_id = models.CharField(max_length=64, blank=True)
    # The answer to give a retry, for clients that need the same answer again (the API's
    # status and body); the console keeps none.
    response = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("owner", "key"), name="idempotency_key_once"),
        ]
        indexes = [
            # forget_idempotency_keys(): the keys past their keeping time.
            models.Index(fields=("created_at",), name="idempotency_key_age"),
        ]

    def __str__(self) -> str:
        return f"{self.owner} {self.key[:12]}…"
