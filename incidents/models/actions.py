"""Recovery actions: the mitigation, repair, prevention, detection and process work that an
incident calls for, each with an owner and a due date, followed until done (or declined).

Writes happen in incidents/services/actions.py only.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.choices import (
    UNFINISHED_ACTION_STATES,
    ActionKind,
    ActionPriority,
    ActionState,
)
from incidents.models.incidents import Component, Incident, public_id_field


class RecoveryAction(models.Model):
    """One piece of follow-up work of an incident: open → in progress → done, or won't do
    (with the reason why)."""

    public_id = public_id_field()
    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="recovery_actions"
    )
    kind = models.CharField(max_length=16, choices=ActionKind.choices)
    title = models.CharField(max_length=200)
    title_ja = models.CharField(_("title (Japanese)"), max_length=200, blank=True)
    description = models.TextField(blank=True, help_text=_("Markdown; not shown publicly."))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recovery_actions",
    )
    due_on = models.DateField(null=True, blank=True)
    priority = models.CharField(
        max_length=8, choices=ActionPriority.choices, default=ActionPriority.MEDIUM
    )
    state = models.CharField(max_length=16, choices=ActionState.choices, default=ActionState.OPEN)
    wont_do_reason = models.TextField(_("why it won't be done"), blank=True)
    tracker_url = models.URLField(_("tracker link"), max_length=500, blank=True)
    components = models.ManyToManyField(Component, blank=True, related_name="recovery_actions")
    public = models.BooleanField(
        default=False,
        help_text=_("List this action, with its state, on the published post-mortem."),
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    last_chased_on = models.DateField(
        null=True,
        blank=True,
        editable=False,
        help_text=_("The day the owner was last reminded of this overdue action."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ("due_on", "id")
        verbose_name = _("recovery action")
        constraints = [
            models.CheckConstraint(
                condition=~Q(state=ActionState.WONT_DO) | ~Q(wont_do_reason=""),
                name="action_wont_do_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(state=ActionState.DONE, completed_at__isnull=False)
                | (~Q(state=ActionState.DONE) & Q(completed_at__isnull=True)),
                name="action_done_has_completion_time",
            ),
        ]
        indexes = [
            # overdue_actions(), open_actions() and chase_overdue_actions(): unfinished actions
            # by due date.
            models.Index(
                fields=("due_on",),
                condition=Q(state__in=UNFINISHED_ACTION_STATES),
                name="action_unfinished_due",
            ),
        ]

    def __str__(self) -> str:
        return self.title
