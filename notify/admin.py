"""The notifications in the console: subscribers, notifications with their delivery counts,
the delivery log (resolving `unknown` outcomes by hand) and the kill switch. Every write goes
through notify.services."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from incidents.admin.service_admin import ReadOnlyModelAdmin, ServiceForm, ServiceModelAdmin
from notify import services
from notify.choices import DeliveryState
from notify.models import Delivery, Notification, SendingSwitch, Subscriber, masked


@admin.register(Subscriber)
class SubscriberAdmin(ReadOnlyModelAdmin):
    list_display = ("masked_address", "channel", "language", "state", "created_at")
    list_filter = ("channel", "language", ("confirmed_at", admin.EmptyFieldListFilter))
    search_fields = ("address", "public_id")
    actions = ("unsubscribe_selected",)
    exclude = ("secret",)

    @admin.display(description=_("address"))
    def masked_address(self, subscriber: Subscriber) -> str:
        return masked(subscriber.address)

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
    actions = ("resolve_delivered", "resolve_not_delivered")

    @admin.display(description=_("recipient"))
    def recipient(self, delivery: Delivery) -> str:
        return masked(delivery.subscriber.address)

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
