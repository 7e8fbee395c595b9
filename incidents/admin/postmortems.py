"""Post-mortems in the console: start one for a resolved incident, write it beside the incident's
timeline and computed figures, edit its own timeline inline, submit it, sign the review off,
publish or unpublish it; and the reliability report per component and month."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from incidents import notification_figures, reliability, selectors, services
from incidents.admin.service_admin import ServiceForm, ServiceModelAdmin, ServiceTabularInline
from incidents.choices import CLOSED_INCIDENT_STATUSES, IncidentKind, PostMortemStatus
from incidents.models import Incident, PostMortem, PostMortemTimelineEntry
from incidents.models.postmortems import SECTIONS
from incidents.services.postmortems import EDITABLE_POSTMORTEM_FIELDS

# The workflow steps a save can take, by the post-mortem's status.
SUBMIT, SIGN_OFF, RETURN, PUBLISH, UNPUBLISH = (
    "submit",
    "sign_off",
    "return",
    "publish",
    "unpublish",
)
STEP_LABELS = {
    SUBMIT: _("Submit for review"),
    SIGN_OFF: _("Sign off the review (as you)"),
    RETURN: _("Send back to draft"),
    PUBLISH: _("Publish"),
    UNPUBLISH: _("Unpublish (back to draft)"),
}
STEP_SERVICES = {
    SUBMIT: lambda pm, user: services.submit_for_review(postmortem=pm, actor=user),
    SIGN_OFF: lambda pm, user: services.sign_off_review(postmortem=pm, reviewer=user),
    RETURN: lambda pm, user: services.return_to_draft(postmortem=pm, actor=user),
    PUBLISH: lambda pm, user: services.publish_postmortem(postmortem=pm, actor=user),
    UNPUBLISH: lambda pm, user: services.unpublish_postmortem(postmortem=pm, actor=user),
}
MAIN_SECTIONS = ("summary", "customer_impact", "root_cause", "contributing_factors")
DETECTION_FIELDS = ("detection_method", ("impact_started_at", "detected_at"), "detection")
LEARNING_SECTIONS = ("response_and_recovery", "went_well", "went_badly", "lessons")
JAPANESE_FIELDS = tuple(f"{section}_ja" for section in SECTIONS)
RECORD_FIELDS = (
    ("status", "author"),
    ("submitted_by", "submitted_at"),
    ("reviewed_by", "reviewed_at"),
    "published_at",
)


def steps_for(postmortem: PostMortem) -> list[str]:
    """The steps the change form offers for a post-mortem in its status."""
    if postmortem.status == PostMortemStatus.DRAFT:
        return [SUBMIT]
    if postmortem.status == PostMortemStatus.IN_REVIEW:
        return [PUBLISH if postmortem.reviewed_at else SIGN_OFF, RETURN]
    return [UNPUBLISH]


class StartPostMortemForm(ServiceForm):
    """Start the post-mortem of a resolved incident (start_postmortem)."""

    class Meta:
        model = PostMortem
        fields = ("incident",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        without = Incident.objects.filter(
            kind=IncidentKind.INCIDENT, status__in=CLOSED_INCIDENT_STATUSES, postmortem=None
        ).order_by("-started_at")
        self.fields["incident"].queryset = without  # type: ignore[attr-defined]
        self.fields["incident"].help_text = _(
            "Resolved incidents without a post-mortem. Its timeline is prefilled from the "
            "incident's updates and status history."
        )

    def commit(self) -> PostMortem:
        return services.start_postmortem(incident=self.cleaned_data["incident"], actor=self.user)


class PostMortemForm(ServiceForm):
    """Edit the sections (edit_postmortem), then take one workflow step, in one transaction."""

    step = forms.ChoiceField(label=_("Then"), required=False)

    class Meta:
        model = PostMortem
        fields = sorted(EDITABLE_POSTMORTEM_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(step, STEP_LABELS[step]) for step in steps_for(self.instance)]
        self.fields["step"].choices = [("", _("— just save —")), *choices]
        for name in (*SECTIONS, *JAPANESE_FIELDS):
            if name in self.fields:
                self.fields[name].widget.attrs.update(rows=4, cols=90)

    def commit(self) -> PostMortem:
        postmortem = self.instance
        edits = {
            field: self.cleaned_data[field]
            for field in self.changed_data
            if field in EDITABLE_POSTMORTEM_FIELDS
        }
        if edits:
            services.edit_postmortem(postmortem=postmortem, actor=self.user, **edits)
        step = self.cleaned_data.get("step")
        if step:
            STEP_SERVICES[step](postmortem, self.user)
        return postmortem


class TimelineEntryForm(ServiceForm):
    """One entry of the post-mortem's timeline: added, changed or removed by its service."""

    class Meta:
        model = PostMortemTimelineEntry
        fields = ("occurred_at", "text", "text_ja")
        widgets = {
            "text": forms.Textarea(attrs={"rows": 2, "cols": 60}),
            "text_ja": forms.Textarea(attrs={"rows": 2, "cols": 40}),
        }

    def commit(self) -> PostMortemTimelineEntry:
        data = self.cleaned_data
        if data.get("DELETE"):
            if self.instance.pk:
                services.delete_timeline_entry(entry=self.instance, actor=self.user)
            return self.instance
        values = {"occurred_at": data["occurred_at"], "text": data["text"]}
        values["text_ja"] = data.get("text_ja", "")
        if self.instance.pk:
            return services.edit_timeline_entry(entry=self.instance, actor=self.user, **values)
        return services.add_timeline_entry(
            postmortem=self.instance.postmortem, actor=self.user, **values
        )


class TimelineEntryInline(ServiceTabularInline):
    model = PostMortemTimelineEntry
    form = TimelineEntryForm
    fields = ("occurred_at", "text", "text_ja")
    extra = 1
    verbose_name_plural = _("post-mortem timeline (editable; prefilled from the incident)")

    def editable(self, obj) -> bool:
        return obj is not None and not obj.is_published

    def has_add_permission(self, request, obj=None):
        return self.editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self.editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.editable(obj) and super().has_delete_permission(request, obj)


@admin.register(PostMortem)
class PostMortemAdmin(ServiceModelAdmin):
    form = PostMortemForm
    change_form_template = "admin/incidents/postmortem/change_form.html"
    change_list_template = "admin/incidents/postmortem/change_list.html"
    list_display = ("incident", "status", "author", "reviewed_by", "published_at")
    list_filter = ("status",)
    list_select_related = ("incident", "author", "reviewed_by")
    search_fields = ("incident__name", "summary")
    inlines = [TimelineEntryInline]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        context = {"show_save_and_add_another": False, **(extra_context or {})}
        return super().change_view(request, object_id, form_url, context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = StartPostMortemForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_inlines(self, request, obj):
        return self.inlines if obj else []

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["incident"]})]
        return [
            (_("What happened"), {"fields": MAIN_SECTIONS}),
            (_("Detection"), {"fields": DETECTION_FIELDS}),
            (_("Response and learning"), {"fields": LEARNING_SECTIONS}),
            (_("Japanese"), {"fields": JAPANESE_FIELDS, "classes": ["collapse"]}),
            (_("Review and publication"), {"fields": ("notify_subscribers", "step")}),
            (_("Record"), {"fields": RECORD_FIELDS}),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        record = [f for row in RECORD_FIELDS for f in ((row,) if isinstance(row, str) else row)]
        if obj.is_published:
            return [*record, *sorted(EDITABLE_POSTMORTEM_FIELDS)]
        return record

    def has_delete_permission(self, request, obj=None):
        return False  # unpublished, never deleted

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            incident = Incident.objects.prefetch_related("components").get(pk=obj.incident_id)
            actions = selectors.incident_actions(incident)
            context.update(
                incident=incident,
                figures=reliability.incident_figures(incident, obj),
                subscribers_notified=notification_figures.notified_count(incident),
                actions=actions,
                progress=selectors.action_progress(actions),
                timeline=selectors.timeline(incident),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        report = self.admin_site.admin_view(self.reliability_view)
        return [
            path("reliability/", report, name="incidents_postmortem_reliability"),
            *super().get_urls(),
        ]

    def reliability_view(self, request):
        """Per component and month: incidents, outage minutes, uptime, MTTD and MTTR."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        months = request.GET.get("months", "3")
        months = int(months) if months.isdigit() and 1 <= int(months) <= 24 else 3
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reliability by component and month"),
            "opts": self.model._meta,
            "months": months,
            "reports": reliability.reliability_report(months=months),
        }
        return TemplateResponse(request, "admin/incidents/reliability_report.html", context)
