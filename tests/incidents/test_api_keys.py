"""API keys: made by the service, the command or the console (an Owner's), their secret shown
once and only its digest kept; revoked, never deleted; their use noted at most once a minute."""

import hashlib
import io
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db.models import QuerySet
from django.utils import timezone

from incidents import selectors, services
from incidents.models import ApiKey, AuditEntry
from tests.factories import UserFactory
from tests.incidents.test_admin import form_data

pytestmark = pytest.mark.django_db

KEYS_URL = "/admin/incidents/apikey/"
ADD_URL = f"{KEYS_URL}add/"
T0 = timezone.now().replace(microsecond=0) + timedelta(days=1)


@pytest.fixture
def alice(db):
    return UserFactory(username="alice")


def key_audit() -> QuerySet:
    """The audit rows of the keys (the members' own — created, signed in, given a role — are
    tests/incidents/test_audit_trail_accounts.py's)."""
    return AuditEntry.objects.exclude(object_type="user")


def audit_actions() -> list[str]:
    return list(key_audit().order_by("id").values_list("action", flat=True))


# --- The service -------------------------------------------------------------------------


def test_a_new_key_keeps_its_digest_and_prefix_and_never_its_secret(alice, owner):
    api_key, secret = services.create_api_key(user=alice, name=" deploy bot ", actor=owner)

    assert len(secret) == 43  # 32 random bytes, URL-safe base64
    row = ApiKey.objects.values().get()
    assert row["digest"] == hashlib.sha256(secret.encode()).hexdigest()
    assert row["prefix"] == secret[:8]
    assert row["name"] == "deploy bot"
    assert (row["user_id"], row["created_by_id"]) == (alice.pk, owner.pk)
    assert (row["expires_at"], row["revoked_at"], row["last_used_at"]) == (None, None, None)
    assert not any(secret in str(value) for value in row.values())
    entry = key_audit().get()
    assert (entry.action, entry.actor_name, entry.object_type, entry.object_id) == (
        "create_api_key",
        "owner",
        "apikey",
        str(api_key.pk),
    )
    assert entry.summary == f"{secret[:8]}… “deploy bot” for alice"
    assert secret not in entry.summary


def test_two_keys_have_different_secrets(alice):
    first = services.create_api_key(user=alice, name="a", actor=None)[1]
    second = services.create_api_key(user=alice, name="b", actor=None)[1]

    assert first != second


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        (
            {"name": "   "},
            {"name": ["Name the key after what will use it."]},
        ),
        (
            {"name": "x" * 101},
            {"name": ["At most 100 characters."]},
        ),
        (
            {"expires_at": T0 - timedelta(days=2)},
            {"expires_at": ["The expiry must be in the future."]},
        ),
        (
            {"inactive": True},
            {"user": ["This user is deactivated: keys acting as them are refused."]},
        ),
    ],
    ids=["empty name", "long name", "past expiry", "inactive user"],
)
def test_a_key_with_bad_fields_is_refused_and_nothing_is_written(alice, owner, change, errors):
    if change.pop("inactive", False):
        alice.is_active = False
        alice.save(update_fields=["is_active"])
    fields = {"user": alice, "name": "deploy bot", "actor": owner} | change

    with time_machine.travel(T0, tick=False), pytest.raises(ValidationError) as refused:
        services.create_api_key(**fields)

    assert refused.value.message_dict == errors
    assert not ApiKey.objects.exists()
    assert not key_audit().exists()


def test_revoking_a_key_is_recorded_and_cannot_happen_twice(alice, owner):
    api_key, _ = services.create_api_key(user=alice, name="deploy bot", actor=owner)

    with time_machine.travel(T0, tick=False):
        services.revoke_api_key(api_key=api_key, actor=owner)
    with pytest.raises(ValidationError) as again:
        services.revoke_api_key(api_key=api_key, actor=owner)

    assert ApiKey.objects.get().revoked_at == T0
    assert again.value.messages == [
        f"The key {api_key.prefix}… (“deploy bot”) was already revoked."
    ]
    assert audit_actions() == ["create_api_key", "revoke_api_key"]
    revoked = AuditEntry.objects.get(action="revoke_api_key")
    assert revoked.summary == f"{api_key.prefix}… “deploy bot” of alice"


def test_a_use_is_noted_at_most_once_a_minute_without_a_query_in_between(
    alice, django_assert_num_queries
):
    api_key, _ = services.create_api_key(user=alice, name="monitor", actor=None)
    stale = ApiKey.objects.get()

    with time_machine.travel(T0, tick=False):
        assert services.note_api_key_use(api_key, address="192.0.2.7") is True
    with time_machine.travel(T0 + timedelta(seconds=59), tick=False):
        with django_assert_num_queries(0):
            assert services.note_api_key_use(api_key, address="192.0.2.8") is False
        # Another request's copy, read before the use was noted: the UPDATE's condition says no.
        assert services.note_api_key_use(stale, address="192.0.2.9") is False
    assert ApiKey.objects.values_list("last_used_at", "last_used_from").get() == (T0, "192.0.2.7")

    with time_machine.travel(T0 + timedelta(seconds=60), tick=False):
        assert services.note_api_key_use(api_key, address="2001:db8::1") is True
    assert ApiKey.objects.values_list("last_used_at", "last_used_from").get() == (
        T0 + timedelta(seconds=60),
        "2001:db8::1",
    )
    assert audit_actions() == ["create_api_key", "use_api_key", "use_api_key"]
    assert [entry.summary for entry in AuditEntry.objects.filter(action="use_api_key")] == [
        f"{api_key.prefix}… from 2001:db8::1",
        f"{api_key.prefix}… from 192.0.2.7",
    ]


def test_a_use_from_an_address_that_is_not_one_is_noted_without_it(alice):
    api_key, _ = services.create_api_key(user=alice, name="monitor", actor=None)

    assert services.note_api_key_use(api_key, address="") is True

    assert ApiKey.objects.get().last_used_from is None
    assert AuditEntry.objects.first().summary == f"{api_key.prefix}… from an unknown address"


# --- The selector ------------------------------------------------------------------------


def test_a_secret_finds_its_key_and_user_in_one_query(alice, django_assert_num_queries):
    api_key, secret = services.create_api_key(user=alice, name="monitor", actor=None)
    services.revoke_api_key(api_key=api_key, actor=None)

    with django_assert_num_queries(1):
        found = selectors.api_key_for_secret(secret)
        assert found is not None
        assert (found.pk, found.user.username) == (api_key.pk, "alice")
    assert found.revoked_at is not None  # the caller says why it is refused
    with django_assert_num_queries(1):
        assert selectors.api_key_for_secret(secret[:-1]) is None
    with django_assert_num_queries(0):
        assert selectors.api_key_for_secret("") is None


# --- manage.py create_api_key ------------------------------------------------------------


def create_api_key(*args: str) -> list[str]:
    out = io.StringIO()
    call_command("create_api_key", *args, stdout=out)
    return out.getvalue().splitlines()


def test_the_command_prints_the_key_once_on_its_last_line(alice):
    with time_machine.travel(T0, tick=False):
        lines = create_api_key("alice", "--name", "deploy bot", "--expires-in-days", "30")

    secret = lines[-1]
    api_key = selectors.api_key_for_secret(secret)
    assert api_key is not None
    assert (api_key.user, api_key.name, api_key.expires_at) == (
        alice,
        "deploy bot",
        T0 + timedelta(days=30),
    )
    expires = f"{T0 + timedelta(days=30):%Y-%m-%d %H:%M}"
    assert lines == [
        f"API key {secret[:8]}… “deploy bot” acts as alice, until {expires} UTC.",
        "It is shown once, on the next line: only its digest is kept.",
        secret,
    ]
    assert audit_actions() == ["create_api_key"]


def test_the_command_names_a_key_it_was_not_given_a_name_for(alice):
    with time_machine.travel(T0, tick=False):
        lines = create_api_key("alice")

    assert ApiKey.objects.get().name == f"manage.py create_api_key, {T0:%Y-%m-%d}"
    assert ApiKey.objects.get().expires_at is None
    assert lines[0].endswith("acts as alice, with no expiry.")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ghost"], "No user is named “ghost”."),
        (["retired"], "This user is deactivated: keys acting as them are refused."),
        (["alice", "--expires-in-days", "0"], "The expiry must be in the future."),
    ],
    ids=["no such user", "inactive user", "no time left"],
)
def test_the_command_refuses_what_the_service_refuses_and_writes_nothing(alice, args, message):
    UserFactory(username="retired", is_active=False)

    with time_machine.travel(T0, tick=False), pytest.raises(CommandError) as refused:
        create_api_key(*args)

    assert str(refused.value) == message
    assert not ApiKey.objects.exists()
    assert not key_audit().exists()


# --- The console -------------------------------------------------------------------------


def add_through_console(client, user, **changes):
    data = form_data(client.get(ADD_URL), "apikey_form")
    data |= {"user": str(user.pk), "name": "deploy bot", "_save": "Save"} | changes
    return client.post(ADD_URL, data), data


def test_an_owner_adds_a_key_and_sees_its_secret_on_that_page_only(client, owner, alice):
    client.force_login(owner)

    shown, data = add_through_console(
        client, alice, expires_at_0=f"{T0:%Y-%m-%d}", expires_at_1="12:00:00"
    )

    api_key = ApiKey.objects.get()
    page = shown.content.decode()
    secret = shown.context["secret"]
    assert shown.status_code == 200
    assert page.count(secret) == 1
    assert "it is shown only this once" in page
    assert "no-store" in shown["Cache-Control"]
    assert selectors.api_key_for_secret(secret) == api_key
    assert (api_key.user, api_key.name, api_key.created_by) == (alice, "deploy bot", owner)
    assert api_key.expires_at == T0.replace(hour=12, minute=0, second=0)
    assert audit_actions() == ["create_api_key"]

    again = client.post(ADD_URL, data)  # the same form sent twice: the first one's key only
    assert again.status_code == 302
    assert ApiKey.objects.count() == 1
    for url in (KEYS_URL, f"{KEYS_URL}{api_key.pk}/change/", again["Location"]):
        later = client.get(url)
        assert later.status_code == 200, url
        assert secret not in later.content.decode(), url
        assert api_key.digest not in later.content.decode(), url
    assert f"{api_key.prefix}…" in client.get(KEYS_URL).content.decode()


def test_the_console_refuses_a_key_for_a_deactivated_user(client, owner, alice):
    client.force_login(owner)
    data = form_data(client.get(ADD_URL), "apikey_form")
    alice.is_active = False
    alice.save(update_fields=["is_active"])

    refused = client.post(ADD_URL, data | {"user": str(alice.pk), "name": "deploy bot"})

    assert refused.status_code == 200
    assert "user" in refused.context["adminform"].form.errors
    assert not ApiKey.objects.exists()
    assert not key_audit().exists()


def test_an_owner_revokes_keys_from_the_list(client, owner, alice):
    client.force_login(owner)
    first, _ = services.create_api_key(user=alice, name="first", actor=owner)
    second, _ = services.create_api_key(user=alice, name="second", actor=owner)
    services.revoke_api_key(api_key=second, actor=owner)

    response = client.post(
        KEYS_URL,
        {"action": "revoke_selected", "_selected_action": [first.pk, second.pk]},
        follow=True,
    )

    shown = [str(message) for message in response.context["messages"]]
    assert shown == [
        f"The key {second.prefix}… (“second”) was already revoked.",
        f"Revoked: {first.prefix}… (first). Requests bearing them are refused from now on.",
    ]
    assert ApiKey.objects.filter(revoked_at__isnull=True).count() == 0
    assert audit_actions() == [
        "create_api_key",
        "create_api_key",
        "revoke_api_key",
        "revoke_api_key",
    ]


def test_a_key_is_never_edited_nor_deleted_in_the_console(admin_client, alice):
    api_key, _ = services.create_api_key(user=alice, name="monitor", actor=None)
    change_url = f"{KEYS_URL}{api_key.pk}/change/"

    page = admin_client.get(change_url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert admin_client.post(change_url, {"name": "renamed"}).status_code == 403
    assert admin_client.get(f"{KEYS_URL}{api_key.pk}/delete/").status_code == 403
    assert admin_client.post(f"{KEYS_URL}{api_key.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ApiKey.objects.get().name == "monitor"
    choices = admin_client.get(KEYS_URL).context["action_form"].fields["action"].choices
    assert [name for name, _ in choices] == ["", "revoke_selected"]


@pytest.mark.parametrize("role", ["oncall", "viewer"])
def test_only_owners_see_the_keys(client, request, role, alice):
    services.create_api_key(user=alice, name="monitor", actor=None)
    client.force_login(request.getfixturevalue(role))

    assert client.get(KEYS_URL).status_code == 403
    assert client.get(ADD_URL).status_code == 403
    assert KEYS_URL not in client.get("/admin/").content.decode()
    assert ApiKey.objects.count() == 1


def test_the_owner_group_holds_on_calls_rights_and_the_keys(db):
    owner = set(Group.objects.get(name="Owner").permissions.values_list("codename", flat=True))
    on_call = set(Group.objects.get(name="On-call").permissions.values_list("codename", flat=True))

    assert on_call <= owner
    assert {"add_apikey", "change_apikey", "view_apikey", "change_pagesettings"} <= owner
    assert {"add_user", "change_user", "view_user", "add_group", "change_group"} <= owner
    assert "delete_user" not in owner
    assert not {"add_apikey", "change_apikey", "view_apikey"} & on_call


def test_the_keys_speak_japanese_in_a_japanese_console(client, owner, alice):
    client.force_login(owner)
    services.create_api_key(user=alice, name="monitor", actor=None)

    listed = client.get(KEYS_URL, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    data = form_data(client.get(ADD_URL, HTTP_ACCEPT_LANGUAGE="ja"), "apikey_form")
    shown = client.post(
        ADD_URL, data | {"user": str(alice.pk), "name": "bot"}, HTTP_ACCEPT_LANGUAGE="ja"
    )

    assert "選択した API キーを取り消す" in listed
    assert "最終使用日時" in listed
    page = shown.content.decode()
    assert "今すぐコピーしてください。表示されるのはこの一度だけです。" in page
    assert "キー「bot」は alice として、その権限で動きます。" in page
