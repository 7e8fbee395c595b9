"""A page's address starts as SITE_URL: the field's default, and a page still at the address
every install began with (http://127.0.0.1:8000, before SITE_URL was its default) takes
SITE_URL on `migrate`. An address an operator chose is kept."""

from django.conf import settings
from django.db import migrations, models

import incidents.models.incidents

FIRST_DEFAULT = "http://127.0.0.1:8000"


def page_url_from_site_url(apps, schema_editor):
    PageSettings = apps.get_model("incidents", "PageSettings")
    PageSettings.objects.filter(id=1, url=FIRST_DEFAULT).update(url=settings.SITE_URL)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0018_page_branding"),
    ]

    operations = [
        migrations.AlterField(
            model_name="pagesettings",
            name="url",
            field=models.URLField(
                default=incidents.models.incidents.default_page_url,
                help_text="The public address of the status page.",
            ),
        ),
        migrations.RunPython(page_url_from_site_url, migrations.RunPython.noop),
    ]
