"""Console members in the console: a member who authored anything is deactivated, never deleted
(the delete page lists what they authored and offers to deactivate them), and the deletions
made in the screens of django-axes and django-otp (lifting a sign-in lockout, resetting a
member's second factor) are audited. Changes of members and roles themselves are audited by
incidents.account_audit, whichever screen makes them."""

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db import transaction
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from incidents import selectors, services
from incidents.admin.service_admin import object_to_change

User = get_user_model()


class MemberAdmin(UserAdmin):
    """Django's user admin, where deleting a member who authored anything is refused."""

    def get_urls(self):
        deactivate = self.admin_site.admin_view(require_POST(self.deactivate_view))
        name = f"{User._meta.app_label}_{User._meta.model_name}_deactivate"
        return [path("<path:object_id>/deactivate/", deactivate, name=name), *super().get_urls()]

    def get_deleted_objects(self, objs, request):
        """What authored rows keep a member (then nothing is deleted), else Django's list."""
        authored = selectors.authored_records(list(objs))
        if authored:
            return [], {}, set(), authored
        return super().get_deleted_objects(objs, request)

    def deactivate_view(self, request, object_id):
        member = object_to_change(self, request, object_id)
        if services.deactivate_member(member=member):
            done = _("“%(name)s” is deactivated: they can no longer sign in or use API keys.")
            self.message_user(request, done % {"name": member.get_username()}, messages.SUCCESS)
        opts = User._meta
        return redirect(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[member.pk])
        )


class AuditedDeletes:
    """A third-party screen whose deletions each leave an audit row (`audit_action`)."""

    audit_action = ""

    def delete_model(self, request, obj):
        with transaction.atomic():
            services.record_audit(actor=request.user, action=self.audit_action, target=obj)
            super().delete_model(request, obj)  # type: ignore[misc]

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                services.record_audit(actor=request.user, action=self.audit_action, target=obj)
            super().delete_queryset(request, queryset)  # type: ignore[misc]


class AuditedAccessAttemptAdmin(AuditedDeletes, AccessAttemptAdmin):
    audit_action = "lift_lockout"


class AuditedTOTPDeviceAdmin(AuditedDeletes, TOTPDeviceAdmin):
    audit_action = "remove_second_factor"


class AuditedStaticDeviceAdmin(AuditedDeletes, StaticDeviceAdmin):
    audit_action = "remove_recovery_codes"


for model, model_admin in (
    (User, MemberAdmin),
    (AccessAttempt, AuditedAccessAttemptAdmin),
    (TOTPDevice, AuditedTOTPDeviceAdmin),
    (StaticDevice, AuditedStaticDeviceAdmin),
):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
