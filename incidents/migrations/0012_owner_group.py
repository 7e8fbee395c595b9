"""Create the permission group "Owner" (or complete it, if someone made one by hand): everything
"On-call" and "Viewer" may do, and the running of the installation — API keys, users and
groups, page settings, resetting a member's second factor and lifting a sign-in lockout."""

from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.db.models import Q

# (app label, model, actions) beyond what On-call has.
OWNER_PERMISSIONS = [
    ("incidents", "apikey", ("add", "change", "view")),
    ("incidents", "pagesettings", ("change", "view")),
    # Users are deactivated, never deleted: their names stay on what they wrote.
    ("auth", "user", ("add", "change", "view")),
    ("auth", "group", ("add", "change", "view")),
    # A member who lost their phone and recovery codes enrols again once their device is gone.
    ("otp_totp", "totpdevice", ("view", "delete")),
    ("otp_static", "staticdevice", ("view", "delete")),
    # A lockout lifted early by deleting its attempt (docs/operations.md).
    ("axes", "accessattempt", ("view", "delete")),
    ("axes", "accessfailurelog", ("view",)),
    ("axes", "accesslog", ("view",)),
]


def ensure_permissions(apps) -> None:
    """The permissions of these apps' models: on a new database they are made only after the
    last migration (post_migrate), too late for this one."""
    for label in sorted({label for label, _, _ in OWNER_PERMISSIONS}):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def forwards(apps, schema_editor):
    ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    owner, _ = Group.objects.get_or_create(name="Owner")
    for name in ("On-call", "Viewer"):
        group = Group.objects.filter(name=name).first()
        if group is not None:
            owner.permissions.add(*group.permissions.all())
    wanted = Q(pk__in=[])
    for label, model, actions in OWNER_PERMISSIONS:
        codenames = [f"{action}_{model}" for action in actions]
        wanted |= Q(content_type__app_label=label, codename__in=codenames)
    owner.permissions.add(*Permission.objects.filter(wanted))


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0011_api_keys"),
        ("incidents", "0005_postmortem_permissions"),
        # On-call's rights on the notifications, given by notify's migrations.
        ("notify", "0009_answer_owed_since"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("otp_totp", "0003_add_timestamps"),
        ("otp_static", "0003_add_timestamps"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    # Backwards leaves the group: it may have members, and whoever had it before keeps it.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
