"""Subscribers, the notification outbox and one delivery row per (notification, subscriber).

The rows are the memory of "never twice, never lost": a notification row is written in the
transaction of what it announces; a delivery row is unique per notification and subscriber;
a worker claims a delivery with a conditional UPDATE before it sends, and final states stay
final. Writes happen in notify/services.py and notify/delivery.py only.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.models import Component, ComponentStatusChange, Incident, IncidentUpdate
from incidents.public_ids import new_public_id
from notify.choices import Channel, DeliveryState, Language, NotificationKind, ProcessRole
from notify.masking import url_host


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class Subscriber(models.Model):
    """Someone told about the page: an address on one channel, a language and a scope."""

    public_id = models.CharField(max_length=12, unique=True, default=new_public_id, editable=False)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    # Normalised: e-mail in lower case (all of it), E.164 phone number, https URL.
    address = models.CharField(max_length=500)
    language = models.CharField(max_length=8, choices=Language.choices, default=Language.EN)
    # Scope: no components and no incident = the whole page.
    components = models.ManyToManyField(Component, blank=True, related_name="subscribers")
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.CASCADE, related_name="subscribers"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspended_reason = models.CharField(max_length=500, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    # Consent record: when, from where, through which channel it was given.
    consent_at = models.DateTimeField(default=timezone.now)
    consent_ip = models.GenericIPAddressField(null=True, blank=True)
    consent_source = models.CharField(max_length=32, default="page")
    # SMS double opt-in: a short code, stored hashed, entered on the page (or a YES reply).
    confirmation_code_hash = models.CharField(max_length=128, blank=True, editable=False)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    confirmation_attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    # The answer to a sign-up (a confirmation, or a notice to an existing subscription) still
    # owed: written with the sign-up, cleared by the worker's claim just before it is sent.
    # When the sweep hands it to the broker (again) if no worker has claimed it by then.
    confirmation_due_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Since when that answer is owed (the first sign-up that asked for it): a provider that
    # refuses it for a while is tried again until NOROSHI_RETRY_GIVE_UP_SECONDS from here.
    answer_owed_since = models.DateTimeField(null=True, blank=True, editable=False)
    # Signs webhook bodies (HMAC); also the secret of this subscriber's links.
    secret = models.CharField(max_length=64, default=new_secret, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ("-created_at", "-id")
        # Taking every address away in one file is the Owner's alone (not On-call's).
        permissions = [("export_subscriber", "Can export subscribers")]
        constraints = [
            models.UniqueConstraint(
                fields=("channel", "address"), name="one_subscriber_per_address"
            ),
        ]
        indexes = [
            # fan_out(): the subscribers that may receive anything.
            models.Index(
                fields=("channel",),
                condition=Q(
                    confirmed_at__isnull=False,
                    unsubscribed_at__isnull=True,
                    suspended_at__isnull=True,
                ),
                name="subscriber_active",
            ),
            # sweep(): the sign-ups whose answer is still owed.
            models.Index(
                fields=("confirmation_due_at",),
                condition=Q(confirmation_due_at__isnull=False),
                name="subscriber_confirmation_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {masked(self.address)}"

    @property
    def is_active(self) -> bool:
        return bool(self.confirmed_at and not self.unsubscribed_at and not self.suspended_at)


def masked(address: str) -> str:
    """An address fit for logs and lists: enough to recognise it, not to use it."""
    if "@" in address:
        name, _, domain = address.partition("@")
        return f"{name[:2]}…@{domain}"
    if address.startswith("+"):
        return f"{address[:3]}…{address[-2:]}"
    # A webhook or Slack URL is a credential (its path holds the token): its host alone.
    return f"{url_host(address)}/…"


class Notification(models.Model):
    """The outbox: one thing to announce, written in the transaction of the thing itself."""

    kind = models.CharField(max_length=32, choices=NotificationKind.choices)
    # Every kind but a component's status change is about an incident or maintenance.
    incident = models.ForeignKey(
        Incident,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    component_change = models.ForeignKey(
        ComponentStatusChange,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    update = models.ForeignKey(
        IncidentUpdate,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    # The components the announcement concerns (subscribers' scopes are matched against them).
    components = models.ManyToManyField(Component, blank=True, related_name="+")
    channels = models.JSONField(default=list, help_text=_("The channels this may go to."))
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    fanned_out_at = models.DateTimeField(null=True, blank=True)
    delivery_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            # Announcing the same update twice writes one row.
            models.UniqueConstraint(
                fields=("kind", "update"),
                condition=Q(update__isnull=False),
                name="one_notification_per_update",
            ),
            # Events without an update (a reminder, a published post-mortem): once per incident.
            models.UniqueConstraint(
                fields=("kind", "incident"),
                condition=Q(update__isnull=True, incident__isnull=False),
                name="one_notification_per_event",
            ),
            models.UniqueConstraint(
                fields=("kind", "component_change"),
                condition=Q(component_change__isnull=False),
                name="one_notification_per_component_change",
            ),
        ]
        indexes = [
            # sweep(): notifications written but not fanned out.
            models.Index(
                fields=("created_at",),
                condition=Q(fanned_out_at__isnull=True),
                name="notification_not_fanned_out",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.incident or self.component_change}"


class Delivery(models.Model):
    """One notification to one subscriber; unique, claimed before sending, final when done."""

    # No index of its own: one_delivery_per_subscriber, which starts with it, serves every
    # lookup by notification; one index fewer to fill for each row a fan-out writes.
    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    state = models.CharField(
        max_length=16, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # The worker process that claimed it last (its heartbeat row): a process that stops beating
    # has its claimed rows taken over. No database constraint and no cascade: heartbeat rows
    # are kept, and a claim must not lock the claimant's row.
    claimed_by = models.ForeignKey(
        "ProcessHeartbeat",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    # Set just before its message is handed to the provider; null while it is only claimed
    # (a claimed row never attempted goes back to pending when its claimant dies).
    attempted_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(max_length=200, blank=True)
    # The provider's last reported status (e.g. Twilio's queued/sent/delivered/undelivered).
    provider_status = models.CharField(max_length=32, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ("id",)
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=("notification", "subscriber"), name="one_delivery_per_subscriber"
            ),
        ]
        indexes = [
            # sweep(): pending deliveries due (again) and sending ones gone stale.
            models.Index(
                fields=("state", "enqueued_at"),
                condition=Q(state__in=("pending", "sending")),
                name="delivery_open",
            ),
            # The takeover: the rows a dead (or idle) worker process still holds as `sending`.
            models.Index(
                fields=("claimed_by",),
                condition=Q(state="sending"),
                name="delivery_claimed",
            ),
            # The storm guard: what each subscriber was sent lately.
            models.Index(
                fields=("subscriber", "finished_at"),
                condition=Q(state="sent"),
                name="delivery_sent_recently",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.notification} → {self.subscriber} ({self.state})"

    @property
    def idempotency_key(self) -> str:
        """The same for every attempt of this delivery: receivers de-duplicate on it."""
        return f"noroshi-{self.notification_id}-{self.subscriber_id}"


class SendingSwitch(models.Model):
    """The kill switch: one row (id 1). While paused, no delivery is claimed or sent."""

    paused = models.BooleanField(default=False)
    reason = models.CharField(max_length=500, blank=True)
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        # One row: the console lists it once, as "Sending switch", never "Sending switchs".
        verbose_name = verbose_name_plural = _("sending switch")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="sending_switch_single_row")]

    def __str__(self) -> str:
        return "paused" if self.paused else "sending"


class ProcessHeartbeat(models.Model):
    """The liveness of one background process: a worker process or beat, beating every few
    seconds while it runs. A worker whose beat stopped is dead: its claimed work is taken over;
    a stopped beat is reported by /readyz. A clean stop sets `stopped_at`."""

    role = models.CharField(max_length=16, choices=ProcessRole.choices)
    # Unique per process: "<role>:<host>:<pid>:<start>", so that a restarted process with a
    # reused pid is a new row.
    name = models.CharField(max_length=200, unique=True)
    hostname = models.CharField(max_length=200)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    beat_at = models.DateTimeField(default=timezone.now)
    stopped_at = models.DateTimeField(null=True, blank=True)
    # The delivery ids of the task this worker process is running: if it dies, the pending
    # ones are queued again at once (its broker message would come back only after the
    # broker's visibility timeout).
    holding = models.JSONField(default=list, blank=True)

    class Meta:
        indexes = [
            # /readyz and the takeover: the latest beat of each role among running processes.
            models.Index(
                fields=("role", "beat_at"),
                condition=Q(stopped_at__isnull=True),
                name="heartbeat_running",
            ),
        ]

    def __str__(self) -> str:
        return self.name
