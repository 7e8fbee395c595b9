"""The audit rows of what happens to console members: sign-ins, refused sign-ins and lockouts,
sign-outs, members created, changed and deleted, their roles (groups) and what each role may
do (its permissions).

These rows are written by signal receivers, not by our services, because the writes are not
ours: Django's admin forms for users and groups, its password change, `createsuperuser`,
django-axes. A receiver sees each of them whichever path made it. The receivers write the audit
row and nothing else; who made the change and from where come from the request or task
(incidents.audit_context). Data migrations use historical models, which these receivers do not
listen to.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from incidents.selectors.members import member_by_username
from incidents.services.audit import record_audit

# What the trail follows of a member (a password only as "changed": audit.SECRET_WORDS).
MEMBER_FIELDS = (
    "username",
    "email",
    "first_name",
    "last_name",
    "is_active",
    "is_staff",
    "is_superuser",
    "password",
)
BEFORE = "_audit_before"


def name_tried(name: str) -> str:
    """The user name a sign-in was tried with, as the trail keeps it: a member's name whole;
    anything else cut to its first two characters (people type passwords into the name field,
    as the sign-in lockout's own log knows: AXES_SENSITIVE_PARAMETERS)."""
    if name and member_by_username(name) is not None:
        return name
    return f"{name[:2]}… ({len(name)} characters, no such member)"


def signed_in(sender, request, user, **kwargs) -> None:
    record_audit(actor=user, action="sign_in", target=user)


def signed_out(sender, request, user, **kwargs) -> None:
    if getattr(user, "pk", None):
        record_audit(actor=user, action="sign_out", target=user)


def sign_in_refused(sender, credentials: dict, request=None, **kwargs) -> None:
    username_field = get_user_model().USERNAME_FIELD
    name = str(credentials.get(username_field) or "")
    member = member_by_username(name) if name else None
    record_audit(
        actor=None,
        actor_name=name_tried(name),
        action="sign_in_refused",
        target=member or get_user_model(),
    )


def locked_out(sender, request=None, username: str | None = None, **kwargs) -> None:
    member = member_by_username(username) if username else None
    record_audit(
        actor=None,
        actor_name=name_tried(username or ""),
        action="sign_in_locked_out",
        target=member or get_user_model(),
    )


def member_before_save(sender, instance, update_fields=None, **kwargs) -> None:
    """Keep the member's fields as they were, to write old → new once saved (not for the
    sign-in's own save of last_login)."""
    if instance.pk is None or (update_fields and set(update_fields) <= {"last_login"}):
        return
    row = sender._default_manager.filter(pk=instance.pk).values(*MEMBER_FIELDS).first()
    setattr(instance, BEFORE, row)


def member_saved(sender, instance, created: bool, update_fields=None, **kwargs) -> None:
    if created:
        changes = {f: ("", getattr(instance, f)) for f in MEMBER_FIELDS if getattr(instance, f)}
        record_audit(actor=None, action="create_member", target=instance, changes=changes)
        return
    before = instance.__dict__.pop(BEFORE, None)
    if before is None:
        return
    changes = {
        field: (old, getattr(instance, field))
        for field, old in before.items()
        if getattr(instance, field) != old
    }
    if changes:
        summary = ", ".join(changes)
        record_audit(
            actor=None, action="edit_member", target=instance, summary=summary, changes=changes
        )


def member_deleted(sender, instance, **kwargs) -> None:
    record_audit(actor=None, action="delete_member", target=instance)


def role_before_save(sender, instance: Group, **kwargs) -> None:
    if instance.pk is not None:
        old = Group.objects.filter(pk=instance.pk).values_list("name", flat=True).first()
        setattr(instance, BEFORE, old)


def role_saved(sender, instance: Group, created: bool, **kwargs) -> None:
    if created:
        record_audit(actor=None, action="create_role", target=instance)
        return
    old = instance.__dict__.pop(BEFORE, None)
    if old is not None and old != instance.name:
        changes = {"name": (old, instance.name)}
        record_audit(actor=None, action="rename_role", target=instance, changes=changes)


def role_deleted(sender, instance: Group, **kwargs) -> None:
    record_audit(actor=None, action="delete_role", target=instance)


@dataclass(frozen=True)
class Link:
    """A many-to-many relation the trail follows from its owner's side: a member's roles, a
    role's permissions."""

    action: str
    field: str
    owners_of: Callable[[Any], Iterable[models.Model]]
    current: Callable[[Any], set[str]]
    name: Callable[[Any], str]


def permission_name(permission: Permission) -> str:
    return f"{permission.content_type.app_label}.{permission.codename}"


def links() -> dict:
    user_model = get_user_model()
    return {
        user_model.groups.through: Link(
            action="change_roles",
            field="roles",
            owners_of=lambda group: user_model._default_manager.filter(groups=group),
            current=lambda user: set(user.groups.values_list("name", flat=True)),
            name=lambda group: group.name,
        ),
        Group.permissions.through: Link(
            action="change_role_permissions",
            field="permissions",
            owners_of=lambda permission: Group.objects.filter(permissions=permission),
            current=lambda group: set(
                map(permission_name, group.permissions.select_related("content_type"))
            ),
            name=permission_name,
        ),
    }


CLEARED = "_audit_cleared"


def link_changed(sender, instance, action: str, reverse: bool, model, pk_set, **kwargs) -> None:
    """One audit row per owner whose set changed: its names before and after."""
    link = links()[sender]
    if action == "pre_clear":
        setattr(instance, CLEARED, changed_by_link(link, instance, reverse, model, None))
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if action == "post_clear":
        changed = instance.__dict__.pop(CLEARED, [])
    else:
        changed = changed_by_link(link, instance, reverse, model, pk_set)
    for owner, names in changed:
        after = link.current(owner)
        before = after - names if action == "post_add" else after | names
        if before != after:
            record_audit(
                actor=None,
                action=link.action,
                target=owner,
                summary=link.field,
                changes={link.field: (before, after)},
            )


def changed_by_link(link: Link, instance, reverse: bool, model, pk_set) -> list[tuple]:
    """(owner, names added or removed) for each owner a change of the link touches (pk_set
    None: all that the instance is linked to, before a clear)."""
    if not reverse:
        targets = model._default_manager.filter(pk__in=pk_set) if pk_set is not None else None
        names = link.current(instance) if targets is None else set(map(link.name, targets))
        return [(instance, names)]
    if pk_set is None:
        owners = list(link.owners_of(instance))  # now: after the clear there are none
    else:
        owners = list(model._default_manager.filter(pk__in=pk_set))
    return [(owner, {link.name(instance)}) for owner in owners]


def connect() -> None:
    """Connect the receivers (IncidentsConfig.ready)."""
    user_model = get_user_model()
    uid = "noroshi-audit-"
    user_logged_in.connect(signed_in, dispatch_uid=f"{uid}sign-in")
    user_logged_out.connect(signed_out, dispatch_uid=f"{uid}sign-out")
    user_login_failed.connect(sign_in_refused, dispatch_uid=f"{uid}sign-in-refused")
    user_locked_out.connect(locked_out, dispatch_uid=f"{uid}locked-out")
    pre_save.connect(member_before_save, sender=user_model, dispatch_uid=f"{uid}member-before")
    post_save.connect(member_saved, sender=user_model, dispatch_uid=f"{uid}member-saved")
    post_delete.connect(member_deleted, sender=user_model, dispatch_uid=f"{uid}member-deleted")
    pre_save.connect(role_before_save, sender=Group, dispatch_uid=f"{uid}role-before")
    post_save.connect(role_saved, sender=Group, dispatch_uid=f"{uid}role-saved")
    post_delete.connect(role_deleted, sender=Group, dispatch_uid=f"{uid}role-deleted")
    for through in links():
        m2m_changed.connect(link_changed, sender=through, dispatch_uid=f"{uid}{through.__name__}")
