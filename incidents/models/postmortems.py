"""Post-mortems: one per incident, written, reviewed and published; and their timelines.

Writes happen in incidents/services/postmortems.py only. Durations and customer-impact figures
are never stored: incidents/reliability.py computes them from the recorded times and the
component status history.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from incidents.choices import DetectionMethod, PostMortemStatus
from incidents.models.incidents import (
    ComponentStatusChange,
    Incident,
    IncidentUpdate,
    public_id_field,
)

# The Markdown sections of a post-mortem in the order the page shows them; each has a
# `<name>_ja` translation beside it.
SECTIONS = (
    "summary",
    "customer_impact",
    "root_cause",
    "contributing_factors",
    "detection",
    "response_and_recovery",
    "went_well",
    "went_badly",
    "lessons",
)
SECTION_LABELS = {
    "summary": _("Summary"),
    "customer_impact": _("Customer impact"),
    "root_cause": _("Root cause"),
    "contributing_factors": _("Contributing factors"),
    "detection": _("Detection"),
    "response_and_recovery": _("Response and recovery"),
    "went_well": _("What went well"),
    "went_badly": _("What went badly"),
    "lessons": _("Lessons"),
}


def section_field(name: str) -> models.TextField:
    return models.TextField(SECTION_LABELS[name], blank=True, help_text=_("Markdown."))


def section_ja_field(name: str) -> models.TextField:
    label = format_lazy(_("{section} (Japanese)"), section=SECTION_LABELS[name])
    return models.TextField(label, blank=True)


def user_field(**options) -> models.ForeignKey:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,  # authors are deactivated, never deleted
        related_name="+",
        **options,
    )


class PostMortem(models.Model):
    """What happened in one incident, why, and what the team learned: draft → in review →
    published (and back to draft by unpublishing)."""

    public_id = public_id_field()
    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="postmortem")
    status = models.CharField(
        max_length=16, choices=PostMortemStatus.choices, default=PostMortemStatus.DRAFT
    )
    summary = section_field("summary")
    summary_ja = section_ja_field("summary")
    customer_impact = section_field("customer_impact")
    customer_impact_ja = section_ja_field("customer_impact")
    root_cause = section_field("root_cause")
    root_cause_ja = section_ja_field("root_cause")
    contributing_factors = section_field("contributing_factors")
    contributing_factors_ja = section_ja_field("contributing_factors")
    detection_method = models.CharField(
        _("how we learned of it"), max_length=32, choices=DetectionMethod.choices, blank=True
    )
    detection = section_field("detection")
    detection_ja = section_ja_field("detection")
    impact_started_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_(
            "When customers were first affected, if that was before the incident was declared "
            "and the status history does not show it. Leave empty to take it from the history."
        ),
    )
    detected_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_(
            "When the team learned of the problem (an alert fired, a report arrived). Leave "
            "empty when that was when the incident was declared."
        ),
    )
    response_and_recovery = section_field("response_and_recovery")
    response_and_recovery_ja = section_ja_field("response_and_recovery")
    went_well = section_field("went_well")
    went_well_ja = section_ja_field("went_well")
    went_badly = section_field("went_badly")
    went_badly_ja = section_ja_field("went_badly")
    lessons = section_field("lessons")
    lessons_ja = section_ja_field("lessons")
    notify_subscribers = models.BooleanField(
        default=False, help_text=_("Announce the post-mortem to subscribers when it is published.")
    )
    author = user_field()
    submitted_by = user_field()
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = user_field(verbose_name=_("signed off by"))
    reviewed_at = models.DateTimeField(_("signed off at"), null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ("-incident__started_at", "-id")
        verbose_name = _("post-mortem")
        constraints = [
            models.CheckConstraint(
                condition=Q(status=PostMortemStatus.PUBLISHED, published_at__isnull=False)
                | (~Q(status=PostMortemStatus.PUBLISHED) & Q(published_at__isnull=True)),
                name="postmortem_published_has_time",
            ),
            # Nothing is published unreviewed, and a draft carries no sign-off.
            models.CheckConstraint(
                condition=Q(status=PostMortemStatus.DRAFT, reviewed_at__isnull=True)
                | Q(status=PostMortemStatus.IN_REVIEW)
                | Q(status=PostMortemStatus.PUBLISHED, reviewed_at__isnull=False),
                name="postmortem_published_is_signed_off",
            ),
        ]
        indexes = [
            # The console's review queue and the reliability report: post-mortems by status.
            models.Index(fields=("status",), name="postmortem_status"),
        ]

    def __str__(self) -> str:
        return str(_("Post-mortem: %(incident)s") % {"incident": self.incident})

    @property
    def is_published(self) -> bool:
        return self.status == PostMortemStatus.PUBLISHED


class PostMortemTimelineEntry(models.Model):
    """One moment of a post-mortem's timeline: prefilled from the incident's updates and the
    status history, then edited, added to or removed by its authors."""

    postmortem = models.ForeignKey(
        PostMortem, on_delete=models.CASCADE, related_name="timeline_entries"
    )
    occurred_at = models.DateTimeField(_("time"))
    text = models.TextField(help_text=_("Markdown."))
    text_ja = models.TextField(_("text (Japanese)"), blank=True)
    incident_update = models.ForeignKey(
        IncidentUpdate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status_change = models.ForeignKey(
        ComponentStatusChange, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ("occurred_at", "id")
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        indexes = [
            # postmortem_for_incident(), published_postmortem(): one post-mortem's entries in
            # time order.
            models.Index(fields=("postmortem", "occurred_at"), name="pm_entry_postmortem_time"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.text[:60]}"
