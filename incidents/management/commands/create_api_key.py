"""`manage.py create_api_key USER [--name NAME] [--expires-in-days N]`: a key of the management
API acting as USER, printed once on the last line, so that a script can keep it:

    KEY=$(manage.py create_api_key alice --name deploy-bot | tail -1)
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from incidents import services


class Command(BaseCommand):
    help = (
        "Make an API key acting as USER and print it once, on the last line (only its digest "
        "is kept). Send it as 'Authorization: OAuth <key>' or 'Authorization: Bearer <key>'."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("user", help="The user name the key acts as.")
        parser.add_argument("--name", default="", help="What uses the key (shown in the console).")
        parser.add_argument(
            "--expires-in-days", type=int, help="Days until the key expires (default: never)."
        )

    def handle(self, *args, **options) -> None:
        username = options["user"]
        user_model = get_user_model()
        user = user_model._default_manager.filter(**{user_model.USERNAME_FIELD: username}).first()
        if user is None:
            raise CommandError(f"No user is named “{username}”.")
        days = options["expires_in_days"]
        expires_at = timezone.now() + timedelta(days=days) if days is not None else None
        name = options["name"] or f"manage.py create_api_key, {timezone.now():%Y-%m-%d}"
        try:
            api_key, secret = services.create_api_key(
                user=user, name=name, expires_at=expires_at, actor=None
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        until = f"until {expires_at:%Y-%m-%d %H:%M} UTC" if expires_at else "with no expiry"
        self.stdout.write(
            f"API key {api_key.prefix}… “{api_key.name}” acts as {username}, {until}.\n"
            "It is shown once, on the next line: only its digest is kept."
        )
        self.stdout.write(secret)
