"""Give the "On-call" group the post-mortem and recovery action permissions, and "Viewer" the
right to look at them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# Written and changed (never deleted: a post-mortem is unpublished, an action declined).
WRITABLE_MODELS = ["postmortem", "recoveryaction"]
# Entries of a post-mortem's timeline may also be removed while it is a draft or in review.
DELETABLE_MODELS = ["postmortemtimelineentry"]


def forwards(apps, schema_editor):
    app_config = apps.get_app_config("incidents")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = Permission.objects.filter(content_type__app_label="incidents")
    models = WRITABLE_MODELS + DELETABLE_MODELS
    viewer, _ = Group.objects.get_or_create(name="Viewer")
    viewer.permissions.add(*perms.filter(codename__in=[f"view_{model}" for model in models]))
    on_call, _ = Group.objects.get_or_create(name="On-call")
    codenames = [f"{action}_{model}" for model in models for action in ("add", "change", "view")]
    codenames += [f"delete_{model}" for model in DELETABLE_MODELS]
    on_call.permissions.add(*perms.filter(codename__in=codenames))


def backwards(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    models = WRITABLE_MODELS + DELETABLE_MODELS
    perms = Permission.objects.filter(
        content_type__app_label="incidents", content_type__model__in=models
    )
    for group in apps.get_model("auth", "Group").objects.filter(name__in=["Viewer", "On-call"]):
        group.permissions.remove(*perms)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0004_postmortems_and_recovery_actions"),
        ("incidents", "0002_page_settings_and_groups"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
