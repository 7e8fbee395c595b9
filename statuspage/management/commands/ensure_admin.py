"""`manage.py ensure_admin`: make sure the console has a superuser, never touching an existing one.

NOROSHI_ADMIN_USER (default "admin"), NOROSHI_ADMIN_EMAIL and NOROSHI_ADMIN_PASSWORD name it.
Without a password, a random one is generated, printed once and kept in
<VAR_DIR>/admin-password (mode 0600) for the embedded default.
"""

import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

PASSWORD_FILE_NAME = "admin-password"
FIRST_SIGN_IN = (
    "  At the first sign-in (/admin/), the console asks you to add it to an authenticator app\n"
    "  (scan the QR code, type the 6-digit code) and shows ten one-time recovery codes."
)


def password_file() -> Path:
    return Path(settings.VAR_DIR) / PASSWORD_FILE_NAME


def write_secret(path: Path, text: str) -> None:
    # Created 0600 from the start (no window where another user could read it), and chmod'ed
    # in case an older file with wider permissions was there.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(text + "\n")
    path.chmod(0o600)


def password_hint(user) -> str:
    """Where the user's current password can be found, checked against its hash."""
    # hashers.check_password, not user.check_password: the latter may re-hash and save.
    path = password_file()
    if path.exists() and check_password(path.read_text().strip(), user.password):
        return f"its password is in {path}"
    from_env = os.environ.get("NOROSHI_ADMIN_PASSWORD", "")
    if from_env and check_password(from_env, user.password):
        return "its password is from NOROSHI_ADMIN_PASSWORD"
    return (
        "its password is neither NOROSHI_ADMIN_PASSWORD nor a saved one "
        f"(manage.py changepassword {user.get_username()} sets a new one)"
    )


class Command(BaseCommand):
    help = (
        "Create the superuser named by NOROSHI_ADMIN_USER (default admin) unless it exists. "
        "The password comes from NOROSHI_ADMIN_PASSWORD, or is generated and stored in "
        "<var>/admin-password."
    )

    def handle(self, *args, **options) -> None:
        username = os.environ.get("NOROSHI_ADMIN_USER", "").strip() or "admin"
        user_model = get_user_model()
        user = user_model.objects.filter(**{user_model.USERNAME_FIELD: username}).first()
        if user is None:
            self.create(user_model, username)
        else:
            self.stdout.write(f"Admin user “{username}” exists; {password_hint(user)}.")

    def create(self, user_model, username: str) -> None:
        email = os.environ.get("NOROSHI_ADMIN_EMAIL", "").strip()
        password = os.environ.get("NOROSHI_ADMIN_PASSWORD", "")
        if password:
            user = user_model(**{user_model.USERNAME_FIELD: username}, email=email)
            try:
                validate_password(password, user)
            except ValidationError as error:
                raise CommandError(
                    "NOROSHI_ADMIN_PASSWORD is too weak: " + " ".join(error.messages)
                ) from error
            user_model.objects.create_superuser(username, email, password)
            self.stdout.write(
                f"Created admin user “{username}” (password from NOROSHI_ADMIN_PASSWORD).\n"
                + FIRST_SIGN_IN
            )
            return
        password = secrets.token_urlsafe(18)
        # One unit: a user whose password never reached the file would be locked out.
        with transaction.atomic():
            user_model.objects.create_superuser(username, email, password)
            write_secret(password_file(), password)
        self.stdout.write(
            f"Created admin user “{username}” with password: {password}\n"
            f"  (shown once; also saved in {password_file()}, readable only by you)\n"
            + FIRST_SIGN_IN
        )
