"""The notifications in the console: the kill switch, the delivery log, the audience."""

import pytest
from django.utils import translation

from incidents import services as incident_services
from notify import selectors
from notify.models import Delivery, Notification, SendingSwitch
from tests.notify.fan_out import fan_out

pytestmark = pytest.mark.django_db


def test_the_kill_switch_is_thrown_and_released_in_the_console(admin_client):
    page = admin_client.get("/admin/notify/sendingswitch/", follow=True)
    assert page.status_code == 200
    response = admin_client.post(
        "/admin/notify/sendingswitch/1/change/", {"paused": "on", "reason": "a bad template"}
    )
    assert response.status_code == 302
    assert SendingSwitch.objects.get().paused is True
    refused = admin_client.post("/admin/notify/sendingswitch/1/change/", {"paused": "on"})
    assert "Say why sending is paused." in refused.content.decode()
    admin_client.post("/admin/notify/sendingswitch/1/change/", {"reason": ""})
    assert SendingSwitch.objects.get().paused is False


def test_the_console_names_the_kill_switch_once_in_english_and_japanese(admin_client):
    index = admin_client.get("/admin/").content.decode()
    assert '<a href="/admin/notify/sendingswitch/">Sending switch</a>' in index
    assert "switchs" not in index
    options = SendingSwitch._meta
    with translation.override("ja"):
        names = (str(options.verbose_name), str(options.verbose_name_plural))
    assert names == ("送信スイッチ", "送信スイッチ")


def test_unknown_deliveries_are_resolved_by_hand(admin_client, outage, subscriber_factory):
    subscriber_factory("ann@example.com")
    incident_services.post_update(incident=outage, status="identified", body="Found.")
    fan_out(Notification.objects.get().pk)
    Delivery.objects.update(state="unknown")
    response = admin_client.post(
        "/admin/notify/delivery/",
        {"action": "resolve_delivered", "_selected_action": [Delivery.objects.get().pk]},
    )
    assert response.status_code == 302
    assert Delivery.objects.get().state == "sent"


@pytest.mark.parametrize(
    "path", ["/admin/notify/subscriber/", "/admin/notify/notification/", "/admin/notify/delivery/"]
)
def test_the_lists_render(admin_client, path, subscriber_factory):
    subscriber_factory("ann@example.com")
    assert admin_client.get(path).status_code == 200


def test_the_audience_preview_counts_in_scope_subscribers(components, subscriber_factory):
    subscriber_factory("all@example.com")
    subscriber_factory("api@example.com", components=[components["API"]])
    subscriber_factory("web@example.com", components=[components["Web"]])
    subscriber_factory("new@example.com", confirmed=False)
    assert selectors.audience(components=[components["API"]], incident=None) == {"email": 2}


def test_a_viewer_cannot_unsubscribe_or_resolve(client, viewer, subscriber_factory):
    subscriber = subscriber_factory("ann@example.com")
    client.force_login(viewer)
    page = client.get("/admin/notify/subscriber/")
    assert page.status_code == 200
    assert "unsubscribe_selected" not in page.content.decode()
    client.post(
        "/admin/notify/subscriber/",
        {"action": "unsubscribe_selected", "_selected_action": [subscriber.pk]},
    )
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at is None
    assert client.get("/admin/notify/sendingswitch/1/change/").status_code in (200, 302)
    client.post("/admin/notify/sendingswitch/1/change/", {"paused": "on", "reason": "x"})
    assert not SendingSwitch.objects.filter(paused=True).exists()
