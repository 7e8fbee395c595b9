"""The audit trail of console members: sign-ins, refused ones (with the name tried and the
address), lockouts, sign-outs, wrong second-factor codes; members created, changed (a password
only as "changed"), deactivated and deleted; roles given and taken, and what a role may do.
A member who authored anything is deactivated, never deleted."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Group, Permission
from django.db.models import ProtectedError
from django.test import Client

from incidents import services
from incidents.models import AuditEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
LOGIN = "/admin/login/"


def entries(*actions: str) -> list[tuple]:
    rows = AuditEntry.objects.filter(action__in=actions).order_by("id")
    return list(rows.values_list("action", "actor_name", "source", "address", "object_id"))


def sign_in(client: Client, username: str, password: str, address: str = "192.0.2.10"):
    return client.post(
        LOGIN, {"username": username, "password": password, "next": "/admin/"}, REMOTE_ADDR=address
    )


@pytest.fixture
def ann(db):
    return UserFactory(username="ann")


def test_a_sign_in_and_a_sign_out_are_recorded_with_the_address(ann):
    client = Client()

    assert sign_in(client, "ann", PASSWORD).status_code == 302
    client.post("/admin/logout/", REMOTE_ADDR="192.0.2.11")

    assert entries("sign_in", "sign_out") == [
        ("sign_in", "ann", "console", "192.0.2.10", str(ann.pk)),
        ("sign_out", "ann", "console", "192.0.2.11", str(ann.pk)),
    ]


def test_a_refused_sign_in_keeps_the_name_tried_and_the_address(ann):
    client = Client()

    sign_in(client, "ann", "wrong", address="203.0.113.5")
    sign_in(client, "my-secret-passphrase", "wrong", address="203.0.113.6")

    assert entries("sign_in_refused") == [
        ("sign_in_refused", "ann", "console", "203.0.113.5", str(ann.pk)),
        # Not a member's name: perhaps a password typed in the wrong field. Not kept whole.
        ("sign_in_refused", "my… (20 characters, no such member)", "console", "203.0.113.6", ""),
    ]
    assert not AuditEntry.objects.filter(actor__isnull=False, action="sign_in_refused").exists()


def test_a_lockout_is_recorded(ann, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "ann", "wrong")

    assert sign_in(client, "ann", PASSWORD).status_code == 429

    locked = entries("sign_in_locked_out")
    assert locked[0] == ("sign_in_locked_out", "ann", "console", "192.0.2.10", str(ann.pk))
    assert len(locked) == 2  # the refusal that locked, and the try while locked
    assert not entries("sign_in")


def test_a_wrong_second_factor_code_is_recorded(ann):
    client = Client()
    sign_in(client, "ann", PASSWORD)
    client.get("/admin/second-factor/")  # enrols an app, not yet confirmed
    ann.totpdevice_set.update(confirmed=True)

    client.post("/admin/second-factor/verify/", {"code": "000000"}, REMOTE_ADDR="192.0.2.12")

    assert entries("second_factor_refused") == [
        ("second_factor_refused", "ann", "console", "192.0.2.12", str(ann.pk))
    ]


def test_a_member_made_and_changed_in_the_console_keeps_old_and_new_but_no_password(
    admin_client, admin_user
):
    admin_client.defaults["REMOTE_ADDR"] = "192.0.2.20"
    admin_client.post(
        "/admin/auth/user/add/",
        {"username": "ben", "password1": "a long pass phrase", "password2": "a long pass phrase"},
    )
    ben = UserFactory._meta.model.objects.get(username="ben")
    ben.set_password("another pass phrase")
    ben.email = "ben@example.com"
    ben.save()

    made = AuditEntry.objects.get(action="create_member", object_repr="ben")
    assert (made.actor_name, made.source, made.address) == ("admin", "console", "192.0.2.20")
    assert made.changes["username"] == ["", "ben"]
    assert made.changes["password"] == ["(hidden)", "(hidden)"]
    changed = AuditEntry.objects.get(action="edit_member")
    assert changed.changes == {
        "email": ["", "ben@example.com"],
        "password": ["(hidden)", "(hidden)"],
    }
    assert "pbkdf2" not in str(list(AuditEntry.objects.values()))


def test_a_sign_in_alone_is_not_an_edit_of_the_member(ann):
    sign_in(Client(), "ann", PASSWORD)

    assert not AuditEntry.objects.filter(action="edit_member").exists()


def test_roles_given_and_taken_are_recorded_from_either_side(owner, client):
    client.force_login(owner)
    ben = UserFactory(username="ben")
    oncall, viewer = Group.objects.get(name="On-call"), Group.objects.get(name="Viewer")

    ben.groups.add(oncall)
    viewer.user_set.add(ben)
    ben.groups.remove(oncall)
    ben.groups.clear()

    changes = [
        entry.changes["roles"]
        for entry in AuditEntry.objects.filter(
            action="change_roles", object_id=str(ben.pk)
        ).order_by("id")
    ]
    assert changes == [
        ["", "On-call"],
        ["On-call", "On-call, Viewer"],
        ["On-call, Viewer", "Viewer"],
        ["Viewer", ""],
    ]


def test_a_role_given_in_the_console_names_who_gave_it(admin_client):
    ben = UserFactory(username="ben")
    data = {
        "username": "ben",
        "password": ben.password,
        "is_active": "on",
        "is_staff": "on",
        "groups": [str(Group.objects.get(name="Owner").pk)],
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        "initial-date_joined_0": "2026-01-01",
        "initial-date_joined_1": "00:00:00",
    }

    answer = admin_client.post(f"/admin/auth/user/{ben.pk}/change/", data, REMOTE_ADDR="192.0.2.9")

    assert answer.status_code == 302
    entry = AuditEntry.objects.get(action="change_roles", object_id=str(ben.pk))
    assert (entry.actor_name, entry.source, entry.address) == ("admin", "console", "192.0.2.9")
    assert entry.changes == {"roles": ["", "Owner"]}


def test_what_a_role_may_do_is_recorded_when_it_changes():
    viewer = Group.objects.get(name="Viewer")
    permission = Permission.objects.get(codename="export_auditentry")

    viewer.permissions.add(permission)
    viewer.permissions.remove(permission)

    entries_ = AuditEntry.objects.filter(action="change_role_permissions").order_by("id")
    assert [e.object_repr for e in entries_] == ["Viewer", "Viewer"]
    added, removed = (e.changes["permissions"] for e in entries_)
    export = "incidents.export_auditentry"
    assert export in added[1] and export not in added[0]
    assert removed == [added[1], added[0]]


def test_roles_made_renamed_and_removed_are_recorded():
    role = Group.objects.create(name="Support")
    role.name = "Customer support"
    role.save()
    role.delete()

    rows = AuditEntry.objects.filter(object_type="group").order_by("id")
    assert list(rows.values_list("action", "changes")) == [
        ("create_role", {}),
        ("rename_role", {"name": ["Support", "Customer support"]}),
        ("delete_role", {}),
    ]


# --- Authors are deactivated, never deleted ----------------------------------------------------


def test_a_member_who_signed_in_cannot_be_deleted(ann):
    sign_in(Client(), "ann", PASSWORD)

    with pytest.raises(ProtectedError):
        ann.delete()


def test_the_console_refuses_to_delete_an_author_lists_why_and_offers_deactivation(
    admin_client, ann, components
):
    services.declare_incident(name="Slow API", body="Looking.", author=ann)
    url = f"/admin/auth/user/{ann.pk}/delete/"

    page = admin_client.get(url).content.decode()
    refused = admin_client.post(url, {"post": "yes"})

    assert "Cannot delete user" in page
    assert "1 incident</li>" in page and "1 incident update</li>" in page
    assert f'action="/admin/auth/user/{ann.pk}/deactivate/"' in page
    assert refused.status_code == 200
    ann.refresh_from_db()
    assert ann.is_active

    deactivated = admin_client.post(f"/admin/auth/user/{ann.pk}/deactivate/")

    assert deactivated.status_code == 302
    ann.refresh_from_db()
    assert not ann.is_active
    entry = AuditEntry.objects.get(action="edit_member", object_id=str(ann.pk))
    assert (entry.actor_name, entry.changes) == ("admin", {"is_active": ["True", "False"]})


def test_only_a_member_who_may_change_members_deactivates_them(client, oncall, ann):
    client.force_login(oncall)

    assert client.post(f"/admin/auth/user/{ann.pk}/deactivate/").status_code == 403
    ann.refresh_from_db()
    assert ann.is_active


def test_a_member_who_authored_nothing_is_deleted_and_that_is_recorded(admin_client):
    idle = UserFactory(username="idle")

    answer = admin_client.post(f"/admin/auth/user/{idle.pk}/delete/", {"post": "yes"})

    assert answer.status_code == 302
    assert not UserFactory._meta.model.objects.filter(username="idle").exists()
    entry = AuditEntry.objects.get(action="delete_member")
    assert (entry.actor_name, entry.object_repr, entry.object_id) == ("admin", "idle", str(idle.pk))


def test_lifting_a_lockout_in_the_console_is_recorded(admin_client, ann, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(Client(), "ann", "wrong")
    attempt = AccessAttempt.objects.get()

    admin_client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})

    assert not AccessAttempt.objects.exists()
    assert entries("lift_lockout") == [
        ("lift_lockout", "admin", "console", "127.0.0.1", str(attempt.pk))
    ]
