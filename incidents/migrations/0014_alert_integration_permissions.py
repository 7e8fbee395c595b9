"""Alert integrations and their label rules: the "Owner" group makes and changes them, "On-call"
may look at them. The token in an integration's address lets monitoring open drafts and change
components, so it is the installation's owners' to give out."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = ["alertintegration", "alertrule"]
ACTIONS = {"Owner": ("add", "change", "view"), "On-call": ("view",)}


def forwards(apps, schema_editor):
    app_config = apps.get_app_config("incidents")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, actions in ACTIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        codenames = [f"{action}_{model}" for model in MODELS for action in actions]
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="incidents", codename__in=codenames)
        )


def backwards(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    perms = Permission.objects.filter(
        content_type__app_label="incidents", content_type__model__in=MODELS
    )
    for group in apps.get_model("auth", "Group").objects.filter(name__in=ACTIONS):
        group.permissions.remove(*perms)


class Migration(migrations.Migration):
    dependencies = [("incidents", "0013_alerts_in_drafts_and_integrations")]

    operations = [migrations.RunPython(forwards, backwards)]
