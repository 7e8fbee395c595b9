"""The audit trail keeps where each write came from (source, client address), the object's name
and the changed fields' old and new values; the "Owner" group may export it as CSV.

Depends on 0015 while 0016 is written beside it (the lead re-parents it when merging)."""

import django.utils.timezone
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models


def let_owners_export(apps, schema_editor):
    """The new permission exists only after the last migration (post_migrate): make it now."""
    app_config = apps.get_app_config("incidents")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    owner, _ = Group.objects.get_or_create(name="Owner")
    owner.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="incidents", codename="export_auditentry"
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0016_update_reminders"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="auditentry",
            options={
                "ordering": ("-created_at", "-id"),
                "permissions": [("export_auditentry", "Can export the audit trail as CSV")],
                "verbose_name": "audit entry",
                "verbose_name_plural": "audit entries",
            },
        ),
        migrations.AddField(
            model_name="auditentry",
            name="address",
            field=models.GenericIPAddressField(blank=True, null=True, verbose_name="address"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="changes",
            field=models.JSONField(blank=True, default=dict, verbose_name="changes"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="object_repr",
            field=models.CharField(blank=True, max_length=200, verbose_name="object"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="source",
            field=models.CharField(blank=True, max_length=100, verbose_name="source"),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="action",
            field=models.CharField(max_length=64, verbose_name="action"),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="created_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now, editable=False, verbose_name="time"
            ),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="object_id",
            field=models.CharField(max_length=64, verbose_name="object id"),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="object_type",
            field=models.CharField(max_length=64, verbose_name="object type"),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="summary",
            field=models.TextField(blank=True, verbose_name="summary"),
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(fields=["-created_at", "-id"], name="audit_newest_first"),
        ),
        # Backwards: the permission goes with its model's options; the group stays.
        migrations.RunPython(let_owners_export, migrations.RunPython.noop),
    ]
