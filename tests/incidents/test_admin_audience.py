"""The audience preview beside "Notify subscribers": whom an update reaches, per channel,
before it is posted — on the declare and update forms and live (JSON) as components change."""

import pytest
from django.utils import timezone

from incidents import services
from notify.models import Subscriber

pytestmark = pytest.mark.django_db

AUDIENCE_URL = "/admin/incidents/incident/audience/"


def subscriber(address, *, components=(), confirmed=True, channel="email"):
    made = Subscriber.objects.create(
        channel=channel, address=address, confirmed_at=timezone.now() if confirmed else None
    )
    made.components.set(components)
    return made


@pytest.fixture
def audience(components):
    subscriber("everything@example.com")
    subscriber("api@example.com", components=[components["API"]])
    subscriber("web@example.com", components=[components["Web"]])
    subscriber("unconfirmed@example.com", confirmed=False)
    gone = subscriber("gone@example.com")
    gone.unsubscribed_at = timezone.now()
    gone.save()


def test_declaring_shows_whom_the_whole_page_reaches(client, oncall, audience):
    client.force_login(oncall)

    page = client.get("/admin/incidents/incident/add/").content.decode()

    assert "Reaches 1 subscriber now: E-mail 1" in page
    assert "incidents/audience.js" in page


def test_choosing_components_counts_their_subscribers_too(client, oncall, audience, components):
    client.force_login(oncall)
    api, web = components["API"], components["Web"]

    preview = client.get(AUDIENCE_URL, {"component": [api.pk], "declaring": "1"}).json()
    both = client.get(AUDIENCE_URL, {"component": [api.pk, web.pk], "declaring": "1"}).json()

    assert preview["text"] == "Reaches 2 subscribers now: E-mail 2"
    assert preview["counts"]["E-mail"] == 2
    assert both["counts"]["E-mail"] == 3


def test_the_update_form_counts_the_incidents_components(client, oncall, audience, components):
    incident = services.declare_incident(
        name="Errors",
        body="Looking.",
        component_statuses={components["API"]: "major_outage"},
        deliver_notifications=False,
    )
    client.force_login(oncall)

    page = client.get(f"/admin/incidents/incident/{incident.pk}/change/").content.decode()

    assert "Reaches 2 subscribers now: E-mail 2" in page
    live = client.get(AUDIENCE_URL, {"incident": incident.pk, "status": "monitoring"}).json()
    assert live["counts"]["E-mail"] == 2


def test_the_preview_needs_a_console_login(client, audience):
    response = client.get(AUDIENCE_URL)

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
