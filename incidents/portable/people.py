"""The people a page's records name (authors, owners, reviewers, actors): written out by user
name with their names and e-mail, found again on import by user name.

Someone the new installation does not know is added as an inactive user without a password:
their name stays on what they wrote (who wrote it is history, and authors are deactivated,
never deleted), and nobody can sign in as them until an owner sets them up. Console accounts
themselves (passwords, second factors, API keys, roles) do not move.
"""

from django.contrib.auth import get_user_model

from incidents.portable.document import Fields

PERSON_FIELDS = ("first_name", "last_name", "email")


class People:
    """User names to users, both ways, for one export or import."""

    def __init__(self) -> None:
        self.by_name: dict[str, object] = {}
        self.added = 0

    def name(self, user) -> str | None:
        """The user name of `user` (None for none), remembering them for the people list."""
        if user is None:
            return None
        username = user.get_username()
        self.by_name.setdefault(username, user)
        return username

    def rows(self) -> list[dict]:
        """Everyone named so far, by user name."""
        return [
            {"username": name, **{field: getattr(user, field, "") for field in PERSON_FIELDS}}
            for name, user in sorted(self.by_name.items())
        ]

    def load(self, rows: list[Fields]) -> None:
        """Find each person by user name; add those missing, inactive and without a password."""
        users = get_user_model()
        key = users.USERNAME_FIELD
        wanted = {row.text("username"): row for row in rows}
        found = users._default_manager.filter(**{f"{key}__in": list(wanted)})
        self.by_name = {user.get_username(): user for user in found}
        missing = []
        for username, row in wanted.items():
            if username in self.by_name:
                continue
            user = users(**{key: username}, is_active=False, **person_values(row))
            user.set_unusable_password()
            missing.append(user)
        # In one statement, and so without the per-user audit rows of a member added in the
        # console: the import's own row counts them ("people_added").
        for user in users._default_manager.bulk_create(missing):
            self.by_name[user.get_username()] = user
        self.added += len(missing)

    def user(self, fields: Fields, key: str):
        """The user a row names under `key` (None for none)."""
        username = fields.text_or_none(key)
        if username is None:
            return None
        if username not in self.by_name:
            raise fields.fail(key, f"“{username}” is not in the document's people.")
        return self.by_name[username]


def person_values(row: Fields) -> dict:
    return {field: row.text(field) for field in PERSON_FIELDS}
