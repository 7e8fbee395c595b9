"""Subscribers hear nothing of an alert's draft — not of the alerts that open it, nor of what
is noted on it — until it is published; then they are told once, as of any declared
incident, whoever follows its components or everything."""

import pytest

from incidents import services
from incidents.models import Incident
from notify.models import Delivery, Notification
from tests.alert_data import LATER, alertmanager_body, am_alert, make_integration, post_alerts

pytestmark = pytest.mark.django_db


def test_subscribers_hear_of_a_draft_only_when_it_is_published(
    client, components, subscriber_factory, mailoutbox, django_capture_on_commit_callbacks
):
    subscriber_factory("all@example.com")
    subscriber_factory("api@example.com", components=[components["API"]])
    subscriber_factory("web@example.com", components=[components["Web"]])
    _, token = make_integration(rules={("service", "api"): components["API"]})
    first = am_alert(service="api", summary="Checkout is down")
    with django_capture_on_commit_callbacks(execute=True):
        post_alerts(client, token, alertmanager_body(first))
        second = am_alert("ErrorRate", service="api", starts_at=LATER, summary="Checkout is down")
        post_alerts(client, token, alertmanager_body(first, second))

    assert mailoutbox == []
    assert Notification.objects.filter(incident__isnull=False).count() == 0
    assert Delivery.objects.count() == 0

    draft = Incident.objects.get()
    for _ in range(2):  # a second click announces nothing more
        with django_capture_on_commit_callbacks(execute=True):
            services.publish_draft(incident=draft)

    assert sorted(m.to[0] for m in mailoutbox) == ["all@example.com", "api@example.com"]
    assert all("Checkout is down" in m.subject for m in mailoutbox)
    assert Notification.objects.filter(incident=draft).count() == 1
