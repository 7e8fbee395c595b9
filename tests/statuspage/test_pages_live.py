"""The server's side of the live page (statuspage.views.live, static/statuspage/page.js and
live-render.js): which pages carry the live configuration, what they carry for the script (the
versions it compares with /api/v2, the parts it writes one by one, the few words it says
itself in the page's language), and "Last updated". Every public page loads one deferred
script. The script itself runs in tests/e2e/test_browser_live.py."""

import json
from datetime import datetime, timedelta

import pytest
import time_machine

from incidents import services
from incidents.changes import mark_page_changed
from tests.statuspage.page_data import NOW, component, tokyo_page
from tests.statuspage.page_html import parse

pytestmark = pytest.mark.django_db

PAGE_SCRIPT = "/static/statuspage/page.js"


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


def elements(node) -> list:
    return [child for child in node.children if not isinstance(child, str)]


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

    document = parse(html)
    assert document.find_all("script", id="live-config") == []
    assert document.find_all("p", id="live-news") == []
    assert document.find_all("section", **{"data-cards": "incidents"}) == []
    # Planned work alone is not live: the page keeps the weight of a quiet day.
    assert [s.attrs for s in document.find_all("script")] == [{"src": PAGE_SCRIPT, "defer": ""}]


def test_an_open_incident_makes_the_overview_live(client, outage):
    response = client.get("/")

    document = parse(response.content)
    assert [s.attrs.get("src") for s in document.find_all("script")] == [PAGE_SCRIPT, None]
    assert live_config(document) == {
        "summary": "/api/v2/summary.json",
        "seconds": 30,
        "renderer": "/static/statuspage/live-render.js",
        "labels": {
            "news": "%(name)s: %(status)s",
            "ended": {"incidents": "Resolved", "maintenance": "Completed"},
        },
    }
    # Outside the parts live-render.js rewrites, so that it stays to say the last news.
    assert elements(document.find("main"))[0].attrs == {
        "class": "visually-hidden",
        "id": "live-news",
        "aria-live": "polite",
    }
    # Both lists are there for the script to write into; the empty one hidden.
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


def test_the_overview_names_the_parts_the_script_writes_one_by_one(client, outage):
    document = parse(client.get("/").content)

    wrap = document.find("main").find("div", cls="wrap")
    assert [(n.tag, n.attrs.get("data-part"), "data-parts" in n.attrs) for n in elements(wrap)] == [
        ("h1", None, False),
        ("p", None, False),  # the banner, named by its id
        ("p", None, False),  # "Last updated", by its class
        ("section", "incidents", True),
        ("section", "maintenance", True),
        ("section", "components", True),
        ("section", "past", False),
        ("p", None, False),
    ]
    card = document.find("article", **{"data-incident": outage.public_id})
    assert card.attrs["data-part"] == outage.public_id
    assert card.attrs["data-status"] == "Investigating"
    components = document.find("ul", cls="components")
    assert "data-parts" in components.attrs
    assert [
        (item.attrs["data-part"], elements(item)[0].attrs["data-component"])
        for item in elements(components)
    ] == [(outage.components.get().public_id,) * 2]


def test_the_live_page_in_japanese_reads_and_says_japanese(client, outage):
    document = parse(client.get("/?lang=ja").content)

    config = live_config(document)
    assert config["summary"] == "/api/v2/summary.json?lang=ja"
    assert config["labels"]["ended"] == {"incidents": "解決済み", "maintenance": "完了"}
    card = document.find("article", **{"data-incident": outage.public_id})
    assert card.attrs["data-status"] == "調査中"


@pytest.fixture
def maintenance_in_progress(page):
    maintenance = services.schedule_maintenance(
        name="Database upgrade",
        body="Planned.",
        scheduled_for=NOW + timedelta(minutes=5),
        scheduled_until=NOW + timedelta(hours=1),
        deliver_notifications=False,
    )
    services.start_maintenance(maintenance=maintenance, deliver_notifications=False)
    return maintenance


def test_maintenance_in_progress_makes_the_overview_live(client, maintenance_in_progress):
    document = parse(client.get("/").content)

    assert live_config(document)["summary"] == "/api/v2/summary.json"
    maintenance_list = document.find("section", **{"data-cards": "maintenance"})
    assert "hidden" not in maintenance_list.attrs
    assert document.find("section", **{"data-cards": "incidents"}).attrs["hidden"] == ""


def test_an_incident_page_is_live_while_the_incident_is_open(client, outage):
    path = f"/incidents/{outage.public_id}"
    document = parse(client.get(path).content)
    assert live_config(document)["incident"] == outage.public_id
    article = document.find("article", **{"data-incident": outage.public_id})
    assert "data-parts" in article.attrs
    timeline = article.find("ol", cls="timeline")
    assert "data-parts" in timeline.attrs
    assert [item.attrs["data-part"] for item in elements(timeline)] == [
        update.public_id for update in outage.updates.all()
    ]

    services.resolve_incident(incident=outage, body="Fixed.", deliver_notifications=False)
    mark_page_changed()  # on commit, which this test's transaction never reaches
    document = parse(client.get(path).content)
    assert document.find_all("script", id="live-config") == []
    assert [s.attrs.get("src") for s in document.find_all("script")] == [PAGE_SCRIPT]


def test_a_maintenance_page_is_live_while_in_progress(client, maintenance_in_progress):
    maintenance = maintenance_in_progress
    config = live_config(parse(client.get(f"/incidents/{maintenance.public_id}").content))

    assert config["incident"] == maintenance.public_id


def test_no_script_blocks_the_first_rendering(client, outage):
    for path in ("/", f"/incidents/{outage.public_id}"):
        scripts = parse(client.get(path).content).find_all("script")
        assert all("defer" in s.attrs for s in scripts if "src" in s.attrs), path
        assert all(
            s.attrs.get("type") == "application/json" for s in scripts if "src" not in s.attrs
        )
