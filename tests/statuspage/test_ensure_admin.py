"""`manage.py ensure_admin`: one superuser for the console, created once, never overwritten."""

import stat
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from statuspage.management.commands.ensure_admin import FIRST_SIGN_IN

ENV = ("NOROSHI_ADMIN_USER", "NOROSHI_ADMIN_EMAIL", "NOROSHI_ADMIN_PASSWORD")


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path, monkeypatch):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    settings.VAR_DIR = tmp_path
    return tmp_path


def ensure_admin() -> str:
    out = StringIO()
    call_command("ensure_admin", stdout=out)
    return out.getvalue()


def test_generated_password_is_printed_once_and_kept_in_a_private_file(db, var_dir):
    output = ensure_admin()

    user = get_user_model().objects.get()
    password_file = var_dir / "admin-password"
    password = password_file.read_text().strip()
    assert (user.username, user.is_superuser, user.is_staff) == ("admin", True, True)
    assert user.check_password(password)
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    assert output == (
        f"Created admin user “admin” with password: {password}\n"
        f"  (shown once; also saved in {password_file}, readable only by you)\n"
        f"{FIRST_SIGN_IN}\n"
    )


def test_an_existing_admin_is_left_alone_and_its_password_located(db, var_dir):
    ensure_admin()
    user = get_user_model().objects.get()
    password_file = var_dir / "admin-password"
    before = (user.password, password_file.read_text())

    output = ensure_admin()

    user.refresh_from_db()
    assert (user.password, password_file.read_text()) == before
    assert get_user_model().objects.count() == 1
    assert output == f"Admin user “admin” exists; its password is in {password_file}.\n"


def test_password_from_the_environment_is_used_and_not_written(db, var_dir, monkeypatch):
    monkeypatch.setenv("NOROSHI_ADMIN_USER", "ops")
    monkeypatch.setenv("NOROSHI_ADMIN_EMAIL", "ops@example.com")
    monkeypatch.setenv("NOROSHI_ADMIN_PASSWORD", "signal fire on the hill")

    assert ensure_admin() == (
        f"Created admin user “ops” (password from NOROSHI_ADMIN_PASSWORD).\n{FIRST_SIGN_IN}\n"
    )
    user = get_user_model().objects.get()
    assert (user.username, user.email, user.is_superuser) == ("ops", "ops@example.com", True)
    assert user.check_password("signal fire on the hill")
    assert list(var_dir.iterdir()) == []
    assert (
        ensure_admin() == "Admin user “ops” exists; its password is from NOROSHI_ADMIN_PASSWORD.\n"
    )


def test_a_new_password_in_the_environment_does_not_overwrite_the_existing_one(db, monkeypatch):
    monkeypatch.setenv("NOROSHI_ADMIN_PASSWORD", "signal fire on the hill")
    ensure_admin()
    monkeypatch.setenv("NOROSHI_ADMIN_PASSWORD", "another long passphrase")

    output = ensure_admin()

    user = get_user_model().objects.get()
    assert user.check_password("signal fire on the hill")
    assert output == (
        "Admin user “admin” exists; its password is neither NOROSHI_ADMIN_PASSWORD nor a saved "
        "one (manage.py changepassword admin sets a new one).\n"
    )


def test_a_weak_password_from_the_environment_is_refused(db, var_dir, monkeypatch):
    monkeypatch.setenv("NOROSHI_ADMIN_PASSWORD", "short")

    with pytest.raises(CommandError) as raised:
        ensure_admin()

    assert str(raised.value) == (
        "NOROSHI_ADMIN_PASSWORD is too weak: "
        "This password is too short. It must contain at least 8 characters."
    )
    assert get_user_model().objects.count() == 0
    assert list(var_dir.iterdir()) == []
