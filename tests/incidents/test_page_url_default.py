"""The page's public address starts as SITE_URL: a new page's default, and on `migrate` a page
still at the address every install began with (http://127.0.0.1:8000) takes SITE_URL, so that
the links of notifications, feeds and /api/v2 name where the page really is. An address an
operator chose is never touched."""

import importlib

import pytest
from django.apps import apps

from incidents import selectors
from incidents.models import PageSettings

pytestmark = pytest.mark.django_db

migration = importlib.import_module("incidents.migrations.0019_page_url_from_site_url")
FIRST_DEFAULT = "http://127.0.0.1:8000"


def test_a_new_page_is_at_site_url(settings):
    settings.SITE_URL = "https://status.example.com"
    PageSettings.objects.filter(id=1).delete()

    assert selectors.page_settings().url == "https://status.example.com"
    assert PageSettings.objects.create(id=1).url == "https://status.example.com"


def test_migrate_moves_a_page_still_at_the_first_default_to_site_url(settings):
    settings.SITE_URL = "https://status.example.com"
    PageSettings.objects.update_or_create(id=1, defaults={"url": FIRST_DEFAULT})

    migration.page_url_from_site_url(apps, None)

    assert PageSettings.objects.get(id=1).url == "https://status.example.com"


@pytest.mark.parametrize("chosen", ["https://status.example.org", "http://127.0.0.1:9000"])
def test_migrate_keeps_an_address_the_operator_chose(settings, chosen):
    settings.SITE_URL = "https://status.example.com"
    PageSettings.objects.update_or_create(id=1, defaults={"url": chosen})

    migration.page_url_from_site_url(apps, None)

    assert PageSettings.objects.get(id=1).url == chosen
