"""Give the permission groups their rights on the notifications: both may view everything;
"On-call" may also throw the kill switch, unsubscribe and resolve deliveries."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = ["subscriber", "notification", "delivery", "sendingswitch"]


def forwards(apps, schema_editor):
    app_config = apps.get_app_config("notify")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = Permission.objects.filter(content_type__app_label="notify")
    views = perms.filter(codename__in=[f"view_{m}" for m in MODELS])
    for name in ("Viewer", "On-call"):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*views)
    on_call = Group.objects.get(name="On-call")
    on_call.permissions.add(
        *perms.filter(codename__in=["change_sendingswitch", "change_subscriber", "change_delivery"])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("notify", "0001_initial"),
        ("incidents", "0002_page_settings_and_groups"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
