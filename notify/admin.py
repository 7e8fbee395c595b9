"""The notifications in the console: subscribers (with their delivery log, CSV import and
export), notifications with their delivery counts by channel and state, the delivery log
(retrying failures, resolving `unknown` outcomes by hand) and the kill switch. Every write goes
through notify.services (or notify.subscriber_csv for the import)."""

import csv

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from incidents.admin import once
from incidents.admin.service_admin import (
    ReadOnlyModelAdmin,
    ServiceForm,
    ServiceModelAdmin,
    StrOrPromise,
)
from incidents.services.audit import record_export
from notify import channels, masking, selectors, services, subscriber_csv
from notify.choices import Channel as ChannelName
from notify.choices import DeliveryState
from notify.models import Delivery, Notification, SendingSwitch, Subscriber

DELIVERY_LOG_LENGTH = 50


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: channel, address, language, components (public ids or names separated "
            "by “;”; empty for the whole page). UTF-8."
        ),
    )
    confirmed = forms.BooleanField(
        label=_("They already confirmed elsewhere"),
        required=False,
        help_text=_(
            "For a move from another status page: no confirmation is asked. Otherwise each "
            "new subscriber is asked to confirm, as after a sign-up on the page."
        ),
    )
    dry_run = forms.BooleanField(
        label=_("Dry run: check only, write nothing"), required=False, initial=True
    )

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        try:
            return upload.read().decode("utf-8")
        except UnicodeDecodeError as error:
            raise ValidationError(_("The file is not UTF-8 text.")) from error


@admin.register(Subscriber)
class SubscriberAdmin(ReadOnlyModelAdmin):
    list_display = ("masked_address", "channel", "language", "state", "created_at")
    list_filter = ("channel", "language", ("confirmed_at", admin.EmptyFieldListFilter))
    search_fields = ("address", "public_id")
    actions = ("unsubscribe_selected", "export_csv")
    exclude = ("secret",)
    readonly_fields = ("delivery_log",)
    change_list_template = "admin/notify/subscriber/change_list.html"

    def get_exclude(self, request, obj=None):
        """A reader who may not see personal data (a Viewer) sees the address masked, never
        whole: an e-mail or phone number is personal data, a webhook or Slack URL a
        credential."""
        if masking.may_see_personal_data(request.user):
            return self.exclude
        return (*self.exclude, "address")

    def get_readonly_fields(self, request, obj=None):
        if masking.may_see_personal_data(request.user):
            return self.readonly_fields
        return ("masked_address", *self.readonly_fields)

    def get_search_fields(self, request):
        """A Viewer finds a subscriber by its whole address only, as in the management API: a
        search by part of it would spell out the addresses it may not see."""
        if masking.may_see_personal_data(request.user):
            return self.search_fields
        return ("=address", "=public_id")

    def get_urls(self):
        importer = self.admin_site.admin_view(self.import_view)
        return [
            path("import/", importer, name="notify_subscriber_import"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        """Says why a channel is not offered: the public page only leaves it out."""
        off = [
            (ChannelName(name).label, reason)
            for name in channels.CHANNELS
            if (reason := channels.disabled_reason(name))
        ]
        return super().changelist_view(request, {**(extra_context or {}), "channels_off": off})

    def import_view(self, request):
        if not self.has_unsubscribe_permission(request):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            report = subscriber_csv.import_subscribers(
                text=form.cleaned_data["file"],
                confirmed=form.cleaned_data["confirmed"],
                dry_run=form.cleaned_data["dry_run"],
                actor=request.user,
            )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import subscribers"),
            "opts": self.model._meta,
            "form": form,
            "report": report,
        }
        return TemplateResponse(request, "admin/notify/subscriber/import.html", context)

    def has_export_permission(self, request) -> bool:
        return request.user.has_perm("notify.export_subscriber")

    @admin.action(description=_("Export the selected subscribers as CSV"), permissions=["export"])
    def export_csv(self, request, queryset):
        rows = subscriber_csv.export_rows(queryset)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="subscribers.csv"'
        csv.writer(response).writerows(rows)
        summary = f"{len(rows) - 1} subscribers as CSV"
        record_export(actor=request.user, target=Subscriber, summary=summary)
        return response

    @admin.display(description=_("delivery log (newest first)"))
    def delivery_log(self, subscriber: Subscriber) -> StrOrPromise:
        deliveries = selectors.delivery_log(subscriber, limit=DELIVERY_LOG_LENGTH)
        if not deliveries:
            return _("Nothing sent yet.")
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (d.created_at, d.notification, d.get_state_display(), d.finished_at or "", d.error)
                for d in deliveries
            ),
        )
        return format_html("<table><tbody>{}</tbody></table>", rows)

    @admin.display(description=_("address"))
    def masked_address(self, subscriber: Subscriber) -> str:
        return masking.masked_address(subscriber.channel, subscriber.address)

    @admin.display(description=_("state"))
    def state(self, subscriber: Subscriber) -> str:
        if subscriber.suspended_at:
            return f"suspended: {subscriber.suspended_reason}"
        if subscriber.unsubscribed_at:
            return "unsubscribed"
        return "confirmed" if subscriber.confirmed_at else "awaiting confirmation"

    def has_unsubscribe_permission(self, request) -> bool:
        return request.user.has_perm("notify.change_subscriber")

    @admin.action(
        description=_("Unsubscribe the selected subscribers"), permissions=["unsubscribe"]
    )
    def unsubscribe_selected(self, request, queryset):
        for subscriber in queryset:
            services.unsubscribe(subscriber=subscriber)
        self.message_user(request, _("Unsubscribed."), messages.SUCCESS)

    def has_change_permission(self, request, obj=None):
        # Viewing only; the one change offered is the unsubscribe action.
        return False


def state_count(state: str):
    return Count("deliveries", filter=Q(deliveries__state=state))


@admin.register(Notification)
class NotificationAdmin(ReadOnlyModelAdmin):
    list_display = (
        "kind",
        "incident",
        "created_at",
        "fanned_out_at",
        "delivery_count",
        "sent",
        "pending",
        "unknown",
        "failed",
    )
    list_filter = ("kind",)
    list_select_related = ("incident",)
    date_hierarchy = "created_at"
    readonly_fields = ("by_channel",)

    @admin.display(description=_("deliveries by channel and state"))
    def by_channel(self, notification: Notification) -> StrOrPromise:
        table = selectors.delivery_states_by_channel(notification.pk)
        if not table:
            return _("No deliveries.")
        states = sorted({state for counts in table.values() for state in counts})
        head = format_html_join("", "<th>{}</th>", ((DeliveryState(s).label,) for s in states))
        rows = format_html_join(
            "",
            "<tr><th>{}</th>{}</tr>",
            (
                (
                    channel,
                    format_html_join("", "<td>{}</td>", ((counts.get(s, 0),) for s in states)),
                )
                for channel, counts in table.items()
            ),
        )
        return format_html("<table><thead><tr><th></th>{}</tr></thead>{}</table>", head, rows)

    def get_queryset(self, request):
        counts = {state: state_count(state) for state in ("sent", "pending", "unknown", "failed")}
        return super().get_queryset(request).annotate(**{f"n_{k}": v for k, v in counts.items()})

    @admin.display(description=_("sent"))
    def sent(self, notification) -> int:
        return notification.n_sent

    @admin.display(description=_("pending"))
    def pending(self, notification) -> int:
        return notification.n_pending

    @admin.display(description=_("unknown"))
    def unknown(self, notification) -> int:
        return notification.n_unknown

    @admin.display(description=_("failed"))
    def failed(self, notification) -> int:
        return notification.n_failed


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyModelAdmin):
    list_display = (
        "id",
        "notification",
        "recipient",
        "channel",
        "state",
        "attempts",
        "finished_at",
        "error",
    )
    list_filter = ("state", "channel")
    list_select_related = ("notification__incident", "subscriber")
    search_fields = ("subscriber__address", "provider_id")
    actions = ("resolve_delivered", "resolve_not_delivered", "retry")

    @admin.display(description=_("recipient"))
    def recipient(self, delivery: Delivery) -> str:
        return masking.masked_address(delivery.subscriber.channel, delivery.subscriber.address)

    def get_search_fields(self, request):
        if masking.may_see_personal_data(request.user):
            return self.search_fields
        return ("=subscriber__address", "provider_id")

    def resolve(self, request, queryset, *, delivered: bool) -> None:
        done = 0
        for delivery in queryset.filter(state=DeliveryState.UNKNOWN):
            try:
                services.resolve_unknown(delivery=delivery, delivered=delivered, actor=request.user)
                done += 1
            except ValidationError as error:
                self.message_user(request, "; ".join(error.messages), messages.ERROR)
        self.message_user(request, _("%(n)s deliveries resolved.") % {"n": done})

    def has_resolve_permission(self, request) -> bool:
        return request.user.has_perm("notify.change_delivery")

    @admin.action(description=_("Resolve unknown: it was delivered"), permissions=["resolve"])
    def resolve_delivered(self, request, queryset):
        self.resolve(request, queryset, delivered=True)

    @admin.action(description=_("Resolve unknown: it was not delivered"), permissions=["resolve"])
    def resolve_not_delivered(self, request, queryset):
        self.resolve(request, queryset, delivered=False)

    @admin.action(
        description=_("Send failed or unknown deliveries again (an unknown one may arrive twice)"),
        permissions=["resolve"],
    )
    def retry(self, request, queryset):
        with once.queue_notice(request):
            ids = services.retry_deliveries(deliveries=queryset, actor=request.user)
            self.message_user(request, _("%(n)s deliveries queued again.") % {"n": len(ids)})


class SendingSwitchForm(ServiceForm):
    class Meta:
        model = SendingSwitch
        fields = ("paused", "reason")

    def clean(self):
        data = super().clean()
        if data.get("paused") and not (data.get("reason") or "").strip():
            raise forms.ValidationError(_("Say why sending is paused."))
        return data

    def commit(self) -> SendingSwitch:
        if self.cleaned_data["paused"]:
            return services.pause_sending(actor=self.user, reason=self.cleaned_data["reason"])
        return services.resume_sending(actor=self.user)


@admin.register(SendingSwitch)
class SendingSwitchAdmin(ServiceModelAdmin):
    """The kill switch: one row; pausing stops every send at once, resuming continues."""

    form = SendingSwitchForm
    list_display = ("__str__", "reason", "changed_at", "changed_by")

    def changelist_view(self, request, extra_context=None):
        SendingSwitch.objects.get_or_create(id=1)
        return redirect(reverse("admin:notify_sendingswitch_change", args=[1]))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
