"""The rows data migrations make (the page's settings, the roles), put back for an end-to-end
test that needs them: an earlier transactional test's flush leaves none behind."""

from importlib import import_module

from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.loader import MigrationLoader

ROLE_MIGRATIONS = (
    "0002_page_settings_and_groups",
    "0005_postmortem_permissions",
    "0012_owner_group",
)


def restore_migrated_rows() -> None:
    if Group.objects.filter(name="On-call").exists():
        return
    state = MigrationLoader(connection).project_state()
    for name in ROLE_MIGRATIONS:
        import_module(f"incidents.migrations.{name}").forwards(state.apps, None)
