"""Every role against every write path of the console (issue 11): each registered screen's add,
change and delete, each of its list actions and each extra view it adds, posted by a Viewer
and by On-call, on a page full of data (the demo, an API key, an alert integration, e-mail and
webhook subscribers, a delivery whose outcome is unknown).

The paths are read from the admin site itself, so a screen added later is covered without
editing this file. What is checked is the data, not the answer's status code: after a Viewer's
post nothing in the database differs, and after On-call's posts to the Owner's screens (users,
groups, page settings, API keys, second factors, login throttling) nothing differs either.
Subscriber exports, which write nothing, must not answer with the file."""

import hashlib

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import URLPattern, reverse
from django.utils import timezone

from incidents import services
from incidents.models import AuditEntry
from incidents.services import api_keys, integrations
from notify.models import Delivery, Notification, Subscriber

pytestmark = pytest.mark.django_db

STANDARD = {"changelist", "add", "history", "delete", "change"}
# The Owner's screens (issue 11: users, API keys, page settings, subscriber export); the
# second factor and login-throttling screens are account security, the Owner's too.
OWNER_ONLY = {
    "auth.user",
    "auth.group",
    "incidents.pagesettings",
    "incidents.apikey",
    "otp_totp.totpdevice",
    "otp_static.staticdevice",
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
}


def fingerprint() -> str:
    """A digest of every row of every model: equal digests, equal data."""
    digest = hashlib.sha256()
    for model in sorted(apps.get_models(), key=lambda m: m._meta.label):
        if model._meta.proxy or not model._meta.managed:
            continue
        rows = model._base_manager.order_by("pk")
        if model is AuditEntry:  # reading an export is audited: a read, not a write
            rows = rows.exclude(action="export")
        rows = rows.values_list()
        digest.update(model._meta.label.encode())
        for row in rows:
            digest.update(repr(row).encode())
    return digest.hexdigest()


@pytest.fixture
def full_page(owner):
    call_command("seed_demo", verbosity=0)
    api_keys.create_api_key(user=owner, name="deploys", expires_at=None, actor=owner)
    integrations.create_alert_integration(name="Alertmanager", actor=owner)
    now = timezone.now()
    Subscriber.objects.create(channel="email", address="ana@example.com", confirmed_at=now)
    Subscriber.objects.create(
        channel="webhook", address="https://hooks.example.com/secret-token", confirmed_at=now
    )
    services.declare_incident(name="Checkout errors", body="Investigating.")  # told to both
    Delivery.objects.filter(subscriber__address="ana@example.com").update(state="unknown")
    assert Notification.objects.exists()


def write_paths() -> list[tuple[str, str, dict]]:
    """(model label, URL, POST data) of every write the console offers, for the rows there."""
    paths = []
    for model, model_admin in admin.site._registry.items():
        label, info = model._meta.label_lower, (model._meta.app_label, model._meta.model_name)
        row = model._base_manager.order_by("pk").first()
        paths.append((label, reverse("admin:{}_{}_add".format(*info)), {}))
        if row is not None:
            object_id = str(row.pk)
            paths.append((label, reverse("admin:{}_{}_change".format(*info), args=[row.pk]), {}))
            paths.append(
                (label, reverse("admin:{}_{}_delete".format(*info), args=[row.pk]), {"post": "yes"})
            )
            changelist = reverse("admin:{}_{}_changelist".format(*info))
            for action in {name for _, name, _ in model_admin._get_base_actions()}:
                data = {"action": action, "_selected_action": [object_id], "post": "yes"}
                paths.append((label, changelist, data))
        for pattern in model_admin.get_urls():
            if not isinstance(pattern, URLPattern) or not pattern.name:
                continue
            if pattern.name.rsplit("_", 1)[-1] in STANDARD:
                continue
            paths += [(label, url, {}) for url in extra_urls(pattern, row)]
    return paths


def extra_urls(pattern: URLPattern, row) -> list[str]:
    """An extra view's address, its arguments filled from the model's first row (an update
    of it for the update editor)."""
    names = set(pattern.pattern.converters)
    if not names:
        return [reverse(f"admin:{pattern.name}")]
    if row is None:
        return []
    kwargs = {name: str(row.pk) for name in names if name in {"object_id", "pk"}}
    if "update_id" in names:
        update = row.updates.order_by("pk").first()
        if update is None:
            return []
        kwargs["update_id"] = str(update.public_id)
    return [reverse(f"admin:{pattern.name}", kwargs=kwargs)]


def test_every_write_path_is_found(full_page):
    """The list the role tests walk is the console's: a screen's extra views are in it."""
    urls = {url for _, url, _ in write_paths()}
    assert any(url.endswith("/publish/") for url in urls)
    assert any("/updates/" in url and url.endswith("/edit/") for url in urls)
    assert any(url.endswith("/import/") for url in urls)
    assert len(urls) > 60


def test_a_viewer_can_write_nothing_anywhere(client, viewer, full_page):
    client.force_login(viewer)
    before = fingerprint()
    for label, url, data in write_paths():
        response = client.post(url, data)
        assert response.status_code in {200, 302, 403, 404, 405}, (label, url, data)
        assert fingerprint() == before, f"a Viewer's POST to {url} {data} wrote"
        assert response.get("Content-Type", "").split(";")[0] != "text/csv", (url, data)


def test_on_call_cannot_write_the_owners_screens(client, oncall, full_page):
    client.force_login(oncall)
    before = fingerprint()
    owners = [path for path in write_paths() if path[0] in OWNER_ONLY]
    assert {label for label, _, _ in owners} >= {"auth.user", "incidents.apikey"}
    for _, url, data in owners:
        client.post(url, data)
        assert fingerprint() == before, f"On-call's POST to {url} {data} wrote"


def test_only_the_owner_exports_subscribers(client, oncall, viewer, owner, full_page):
    changelist = reverse("admin:notify_subscriber_changelist")
    chosen = [str(pk) for pk in Subscriber.objects.values_list("pk", flat=True)]
    data = {"action": "export_csv", "_selected_action": chosen}
    for user in (viewer, oncall):
        client.force_login(user)
        answer = client.post(changelist, data)
        assert answer.get("Content-Type", "").split(";")[0] != "text/csv", user.username
    client.force_login(owner)
    answer = client.post(changelist, data)
    assert answer["Content-Type"].startswith("text/csv")
    assert b"ana@example.com" in answer.content


def test_a_viewer_sees_no_address_and_no_webhook_url(client, viewer, full_page):
    client.force_login(viewer)
    pages = [reverse("admin:notify_subscriber_changelist")]
    for subscriber in Subscriber.objects.filter(address__in=["ana@example.com"]):
        pages.append(reverse("admin:notify_subscriber_change", args=[subscriber.pk]))
    webhook = Subscriber.objects.get(channel="webhook")
    pages.append(reverse("admin:notify_subscriber_change", args=[webhook.pk]))
    pages.append(reverse("admin:notify_delivery_changelist"))
    for url in pages:
        html = client.get(url).content.decode()
        assert "ana@example.com" not in html, url
        assert "secret-token" not in html, url


def test_the_users_of_each_role_exist(owner, oncall, viewer):
    """The fixtures are the groups the migrations make, not superusers."""
    assert not get_user_model().objects.filter(is_superuser=True).exists()
