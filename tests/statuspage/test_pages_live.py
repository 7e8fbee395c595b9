"""The server's side of the live page (statuspage.views.live, static/statuspage/live.js): which
pages load the script and its configuration, what they carry for it (versions the script
compares with /api/v2, the lists it fills, the words it writes in the page's language), and
"Last updated". The script itself runs in tests/e2e/test_browser_live.py."""

import json
from datetime import datetime, timedelta

import pytest
import time_machine

from incidents import services
from incidents.changes import mark_page_changed
from tests.statuspage.page_data import NOW, component, tokyo_page
from tests.statuspage.page_html import parse

pytestmark = pytest.mark.django_db

LIVE_SCRIPT = '<script src="/static/statuspage/live.js" defer></script>'


@pytest.fixture
def page():
    with time_machine.travel(NOW, tick=False):
        tokyo_page()
        yield


@pytest.fixture
def outage(page):
    api = component("API")
    return services.declare_incident(
        name="Login errors",
        name_ja="ログイン障害",
        body="Looking.",
        component_statuses={api: "major_outage"},
        deliver_notifications=False,
    )


def live_config(document) -> dict:
    return json.loads(document.find("script", id="live-config").text())


def epoch_ms(api_time: str) -> int:
    moment = datetime.fromisoformat(api_time)
    return int(moment.timestamp()) * 1000 + moment.microsecond // 1000


def test_a_page_with_nothing_active_loads_no_live_script(client, page):
    component("API")
    services.schedule_maintenance(
        name="Database upgrade",
        body="Planned.",
        scheduled_for=NOW + timedelta(days=2),
        scheduled_until=NOW + timedelta(days=2, hours=1),
        deliver_notifications=False,
    )

    html = client.get("/").content.decode()

    assert LIVE_SCRIPT not in html
    document = parse(html)
    assert document.find_all("script", id="live-config") == []
    assert document.find_all("p", id="live-news") == []
    assert document.find_all("section", **{"data-cards": "incidents"}) == []
    # Planned work alone is not live: the page keeps the weight of a quiet day.
    assert [s.attrs["src"] for s in document.find_all("script")] == [
        "/static/statuspage/local-time.js",
        "/static/statuspage/uptime-bar.js",
    ]


def test_an_open_incident_makes_the_overview_live(client, outage):
    response = client.get("/")

    html = response.content.decode()
    assert LIVE_SCRIPT in html
    document = parse(html)
    config = live_config(document)
    assert config["summary"] == "/api/v2/summary.json"
    assert config["seconds"] == 30
    assert config["renderer"] == "/static/statuspage/live-render.js"
    assert config["incident_url"] == "/incidents/__id__"
    assert "incident" not in config
    assert config["labels"]["banner"]["critical"] == "Major System Outage"
    assert config["labels"]["component"]["major_outage"] == "Major outage"
    assert config["labels"]["status"]["in_progress"] == "In progress"
    assert config["labels"]["text"]["posted"] == "Posted %(posted)s"
    assert document.find("p", id="live-news").attrs == {
        "class": "visually-hidden",
        "id": "live-news",
        "aria-live": "polite",
    }
    # Both lists are there for the script to fill; the empty one hidden.
    assert "hidden" not in document.find("section", **{"data-cards": "incidents"}).attrs
    assert document.find("section", **{"data-cards": "maintenance"}).attrs["hidden"] == ""


def test_what_the_page_shows_carries_the_versions_of_api_v2(client, outage):
    document = parse(client.get("/").content)
    summary = client.get("/api/v2/summary.json").json()

    shown = summary["incidents"][0]
    card = document.find("article", **{"data-incident": outage.public_id})
    assert int(card.attrs["data-updated"]) == epoch_ms(shown["updated_at"])
    # Each component row is found by its /api/v2 id.
    for shown_component in summary["components"]:
        document.find(**{"data-component": shown_component["id"]})
    shown = document.find("p", cls="last-updated")
    assert int(shown.attrs["data-version"]) == epoch_ms(summary["page"]["updated_at"])
    stamp = shown.find("time")
    api_time = datetime.fromisoformat(summary["page"]["updated_at"])
    assert stamp.attrs["datetime"] == api_time.isoformat(timespec="minutes")
    assert document.find("p", cls="last-updated").text() == (
        f"Last updated {api_time:%Y-%m-%d %H:%M} JST"
    )


def test_the_live_page_in_japanese_reads_and_writes_japanese(client, outage):
    config = live_config(parse(client.get("/?lang=ja").content))

    assert config["summary"] == "/api/v2/summary.json?lang=ja"
    assert config["incident_url"] == "/incidents/__id__?lang=ja"
    assert config["labels"]["component"]["major_outage"] == "重大な障害"
    assert config["labels"]["status"]["monitoring"] == "経過観察中"
    assert config["labels"]["banner"]["none"] != "All Systems Operational"


def test_maintenance_in_progress_makes_the_overview_live(client, page):
    maintenance = services.schedule_maintenance(
        name="Database upgrade",
        body="Planned.",
        scheduled_for=NOW + timedelta(minutes=5),
        scheduled_until=NOW + timedelta(hours=1),
        deliver_notifications=False,
    )
    services.start_maintenance(maintenance=maintenance, deliver_notifications=False)

    document = parse(client.get("/").content)

    assert live_config(document)["summary"] == "/api/v2/summary.json"
    maintenance_list = document.find("section", **{"data-cards": "maintenance"})
    assert "hidden" not in maintenance_list.attrs
    assert document.find("section", **{"data-cards": "incidents"}).attrs["hidden"] == ""


def test_an_incident_page_is_live_while_the_incident_is_open(client, outage):
    path = f"/incidents/{outage.public_id}"
    config = live_config(parse(client.get(path).content))
    assert config["incident"] == outage.public_id
    assert config["final"] == "/api/v2/incidents.json"

    services.resolve_incident(incident=outage, body="Fixed.", deliver_notifications=False)
    mark_page_changed()  # on commit, which this test's transaction never reaches
    html = client.get(path).content.decode()
    assert LIVE_SCRIPT not in html
    assert parse(html).find_all("script", id="live-config") == []


def test_a_maintenance_page_reads_its_end_from_the_maintenance_list(client, page):
    maintenance = services.schedule_maintenance(
        name="Database upgrade",
        body="Planned.",
        scheduled_for=NOW + timedelta(minutes=5),
        scheduled_until=NOW + timedelta(hours=1),
        deliver_notifications=False,
    )
    services.start_maintenance(maintenance=maintenance, deliver_notifications=False)

    config = live_config(parse(client.get(f"/incidents/{maintenance.public_id}").content))

    assert config["final"] == "/api/v2/scheduled-maintenances.json"


def test_no_script_blocks_the_first_rendering(client, outage):
    for path in ("/", f"/incidents/{outage.public_id}"):
        scripts = parse(client.get(path).content).find_all("script")
        assert all("defer" in s.attrs for s in scripts if "src" in s.attrs), path
        assert all(
            s.attrs.get("type") == "application/json" for s in scripts if "src" not in s.attrs
        )
