"""Exporting the subscribers becomes a permission of its own, held by the Owner group only: the
list of every address is the Owner's to take away (issue 11), not whoever may see the list."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def forwards(apps, schema_editor):
    # On a new database permissions are made only after the last migration: too late here.
    app_config = apps.get_app_config("notify")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    export = Permission.objects.get(content_type__app_label="notify", codename="export_subscriber")
    for owner in Group.objects.filter(name="Owner"):
        owner.permissions.add(export)


class Migration(migrations.Migration):
    dependencies = [
        ("notify", "0010_sending_switch_names"),
        ("incidents", "0012_owner_group"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="subscriber",
            options={
                "ordering": ("-created_at", "-id"),
                "permissions": [("export_subscriber", "Can export subscribers")],
            },
        ),
        # Backwards leaves the permission: whoever held it keeps it.
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
