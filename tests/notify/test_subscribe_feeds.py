"""The subscribe page offers the history feeds and the maintenance calendar beside the
channels, as Statuspage's subscribe menu does: tabs that are plain links (no JavaScript), panes
of absolute addresses in the visitor's language, nothing written, no form to send."""

import pytest

from incidents import services as incident_services
from notify import channels
from notify.models import Subscriber
from tests.statuspage.page_html import parse

pytestmark = pytest.mark.django_db


def tabs(document) -> list[tuple[str, str, str | None]]:
    return [
        (a.text(), a.attrs["href"], a.attrs.get("aria-current"))
        for a in document.find("nav", cls="channel-tabs").find_all("a")
    ]


def test_the_feeds_and_the_calendar_are_offered_after_the_channels(client, components):
    document = parse(client.get("/subscribe?channel=feeds").content)

    offered = tabs(document)
    assert [href for _, href, _ in offered] == [
        f"/subscribe?channel={name}" for name in [*channels.enabled_channels(), "feeds", "calendar"]
    ]
    assert offered[-2:] == [
        ("Atom/RSS", "/subscribe?channel=feeds", "page"),
        ("Calendar", "/subscribe?channel=calendar", None),
    ]


def test_the_feeds_pane_gives_both_addresses_and_no_form(client, components):
    response = client.get("/subscribe?channel=feeds")

    assert response.status_code == 200
    document = parse(response.content)
    assert document.find("h2", id="feeds-heading").text() == "Follow in a feed reader"
    assert document.find("input", id="feed-atom").attrs["value"] == "http://testserver/history.atom"
    assert document.find("input", id="feed-rss").attrs["value"] == "http://testserver/history.rss"
    assert document.find("label", for_="feed-atom").text() == "Atom feed"
    assert document.find_all("form") == []
    assert document.find_all("input", name="address") == []
    for address in ("/history.atom", "/history.rss"):
        assert client.get(address).status_code == 200


def test_the_calendar_pane_subscribes_a_calendar_app(client, components):
    document = parse(client.get("/subscribe?channel=calendar").content)

    button = document.find("a", cls="button", href="webcal://testserver/maintenance.ics")
    assert button.text() == "Add to my calendar app"
    field = document.find("input", id="feed-calendar")
    assert field.attrs["value"] == "http://testserver/maintenance.ics"
    assert field.attrs["aria-describedby"] == "calendar-hint"
    assert document.find_all("form") == []
    assert Subscriber.objects.count() == 0


def test_the_panes_in_japanese_give_the_japanese_feeds(client, components):
    document = parse(client.get("/subscribe?channel=feeds&lang=ja").content)

    assert document.find("input", id="feed-atom").attrs["value"] == (
        "http://testserver/history.atom?lang=ja"
    )
    assert [href for _, href, _ in tabs(document)][-2:] == [
        "/subscribe?channel=feeds&lang=ja",
        "/subscribe?channel=calendar&lang=ja",
    ]
    calendar = parse(
        client.get("/subscribe?channel=calendar", headers={"Accept-Language": "ja"}).content
    )
    assert calendar.find("input", id="feed-calendar").attrs["value"] == (
        "http://testserver/maintenance.ics?lang=ja"
    )


def test_one_incident_s_form_offers_no_feeds(client, components):
    incident = incident_services.declare_incident(
        name="Slow checkout", body="Investigating.", deliver_notifications=False
    )
    path = f"/incidents/{incident.public_id}/subscribe"

    assert [label for label, _, _ in tabs(parse(client.get(path).content))] == [
        label for label, _, _ in tabs(parse(client.get("/subscribe").content))[:-2]
    ]
    # Asked for anyway, the incident's form shows its first channel.
    shown = parse(client.get(f"{path}?channel=feeds").content)
    assert shown.find("input", name="channel").attrs["value"] == channels.enabled_channels()[0]


def test_a_post_naming_a_pane_is_refused_and_writes_nothing(client, components, mailoutbox):
    response = client.post(
        "/subscribe",
        {"channel": "feeds", "address": "ann@example.com", "language": "en", "scope": "all"},
    )

    assert response.status_code == 400
    assert Subscriber.objects.count() == 0
    assert mailoutbox == []
