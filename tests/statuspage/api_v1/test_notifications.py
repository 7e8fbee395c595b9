"""What was announced and how it went, through the management API: notifications with their
deliveries counted by state, one notification's deliveries (addresses masked), and the kill
switch (pause with a reason, resume; a Viewer reads only)."""

import pytest

from notify.models import Delivery, Notification, SendingSwitch, Subscriber
from tests.notify.fan_out import fan_out

pytestmark = pytest.mark.django_db


@pytest.fixture
def announced(outage, components):
    from django.utils import timezone

    from incidents import services

    for n in range(3):
        Subscriber.objects.create(
            channel="email", address=f"reader{n}@example.com", confirmed_at=timezone.now()
        )
    services.post_update(incident=outage, status="identified", body="Found it.")
    notification = Notification.objects.get(incident=outage)
    if not notification.deliveries.exists():
        fan_out(notification.pk)
    return notification


def test_notifications_are_listed_with_their_deliveries_by_state(api, base, announced):
    Delivery.objects.filter(pk=Delivery.objects.first().pk).update(state="failed")

    listed = api.get(f"{base}/notifications").json()

    assert [n["id"] for n in listed] == [str(announced.pk)]
    counts = listed[0]["deliveries_by_state"]
    assert counts["failed"] == 1
    assert sum(counts.values()) == 3
    assert listed[0]["incident_id"] == announced.incident.public_id


def test_one_notification_s_deliveries_have_masked_addresses(api, base, announced):
    response = api.get(f"{base}/notifications/{announced.pk}/deliveries")

    assert response.status_code == 200
    addresses = [d["address"] for d in response.json()]
    assert len(addresses) == 3
    assert all(a.startswith("re…@example.com") for a in addresses)
    assert (
        api.get(f"{base}/notifications/{announced.pk}/deliveries?state=sideways").status_code == 400
    )


def test_an_unknown_notification_is_404(api, base):
    assert api.get(f"{base}/notifications/999999").status_code == 404


def test_the_kill_switch_is_thrown_with_a_reason_and_released(api, base):
    refused = api.post(f"{base}/sending-switch/pause", {"sending_switch": {}}, format="json")
    paused = api.post(
        f"{base}/sending-switch/pause",
        {"sending_switch": {"reason": "bad template"}},
        format="json",
    )
    read = api.get(f"{base}/sending-switch").json()
    resumed = api.post(f"{base}/sending-switch/resume", format="json")

    assert refused.status_code == 400
    assert refused.json()["fields"] == {"sending_switch.reason": "This field is required."}
    assert paused.json()["paused"] is True
    assert read == paused.json()
    assert read["changed_by"] == "oncall"
    assert resumed.json()["paused"] is False
    assert SendingSwitch.objects.get().paused is False


def test_a_viewer_reads_the_switch_but_cannot_throw_it(viewer_api, base):
    assert viewer_api.get(f"{base}/sending-switch").status_code == 200
    refused = viewer_api.post(
        f"{base}/sending-switch/pause", {"sending_switch": {"reason": "x"}}, format="json"
    )
    assert refused.status_code == 403
    assert not SendingSwitch.objects.filter(paused=True).exists()
