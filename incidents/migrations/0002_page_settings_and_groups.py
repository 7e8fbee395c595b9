"""Create the page settings row and the permission groups "On-call" and "Viewer"."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

INCIDENT_MODELS = [
    "component",
    "componentgroup",
    "incident",
    "scheduledmaintenance",
    "incidentupdate",
    "updatetemplate",
]
READ_ONLY_MODELS = [
    "componentstatuschange",
    "incidentupdatecomponent",
    "auditentry",
    "pagesettings",
]


def forwards(apps, schema_editor):
    app_config = apps.get_app_config("incidents")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    PageSettings = apps.get_model("incidents", "PageSettings")
    PageSettings.objects.get_or_create(id=1)

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = Permission.objects.filter(content_type__app_label="incidents")
    viewer, _ = Group.objects.get_or_create(name="Viewer")
    viewer.permissions.add(*perms.filter(codename__startswith="view_"))
    on_call, _ = Group.objects.get_or_create(name="On-call")
    codenames = [
        f"{action}_{model}" for model in INCIDENT_MODELS for action in ("add", "change", "view")
    ]
    codenames += [f"view_{model}" for model in READ_ONLY_MODELS]
    codenames += ["delete_updatetemplate"]
    on_call.permissions.add(*perms.filter(codename__in=codenames))


def backwards(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Viewer", "On-call"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
