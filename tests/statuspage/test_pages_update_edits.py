"""A corrected update on the public side: the incident page, the overview and the history show
the new text with an "edited" mark and its time; the feeds say so and move the entry's
updated time; /api/v2 shows the new text with its `updated_at` moved and no key added. In
English and Japanese."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
import time_machine

from incidents import services
from tests.statuspage.page_data import NOW, component, tokyo_page
from tests.statuspage.page_html import parse
from tests.statuspage.test_api_v2_client import UPDATE_KEYS

pytestmark = pytest.mark.django_db

POSTED = NOW - timedelta(minutes=30)  # 11:30 in Tokyo
EDITED = NOW - timedelta(minutes=10)  # 11:50 in Tokyo
ATOM = {"a": "http://www.w3.org/2005/Atom"}


@pytest.fixture
def clock():
    with time_machine.travel(POSTED, tick=False) as traveller:
        yield traveller


@pytest.fixture
def incident(clock, oncall):
    """An open incident whose first update was corrected (both texts) 20 minutes after it was
    posted; a second update, posted after the correction, was never edited."""
    tokyo_page()
    api = component("API")
    incident = services.declare_incident(
        name="Login errors",
        name_ja="ログイン障害",
        body="We are investigating erors.",
        body_ja="調査しています",
        component_statuses={api: "major_outage"},
    )
    clock.move_to(EDITED)
    services.edit_update_text(
        update=incident.updates.get(),
        body="We are investigating errors.",
        body_ja="ログインのエラーを調査しています。",
        actor=oncall,
    )
    clock.move_to(NOW)
    services.post_update(incident=incident, status="identified", body="A bad deploy.")
    return incident


def edited_marks(document) -> list[str]:
    return [mark.text() for mark in document.find_all("span", cls="edited")]


@pytest.mark.parametrize(
    ("language", "body", "mark"),
    [
        ("en", "We are investigating errors.", "edited 2026-03-10 11:50 JST"),
        ("ja", "ログインのエラーを調査しています。", "編集済み 2026-03-10 11:50 JST"),
    ],
)
def test_the_incident_page_shows_the_new_text_marked_edited(client, incident, language, body, mark):
    document = parse(client.get(f"/incidents/{incident.public_id}?lang={language}").content)

    entries = document.find("ol", cls="timeline").find_all("article")
    first = entries[-1]
    assert first.find("div", cls="body").text() == body
    assert first.find("p", cls="meta").text() == f"2026-03-10 11:30 JST {mark}"
    assert edited_marks(document) == [mark]
    time = first.find("span", cls="edited").find("time")
    assert time.attrs["datetime"] == "2026-03-10T11:50+09:00"
    assert "style" not in first.find("span", cls="edited").attrs


@pytest.mark.parametrize(
    ("language", "body", "mark"),
    [
        ("en", "We are investigating errors.", "edited 2026-03-10 11:50 JST"),
        ("ja", "ログインのエラーを調査しています。", "編集済み 2026-03-10 11:50 JST"),
    ],
)
def test_history_and_overview_show_the_new_text_marked_edited(
    client, incident, language, body, mark
):
    history = parse(client.get(f"/history?lang={language}").content)
    overview = parse(client.get(f"/?lang={language}").content)

    updates = history.find("ol", cls="updates").find_all("li")
    assert body in updates[-1].text()
    assert updates[-1].find("span", cls="edited").text() == mark
    assert edited_marks(history) == [mark]
    # The overview's card shows the latest update (not edited); its past days list them all.
    assert edited_marks(overview) == [mark]
    assert body in overview.find("ol", cls="updates").find_all("li")[-1].text()


def test_a_card_whose_latest_update_was_edited_says_so(client, incident, oncall, clock):
    clock.move_to(NOW + timedelta(minutes=5))
    services.edit_update_text(
        update=incident.updates.get(status="identified"),
        body="A bad deploy of the login service.",
        actor=oncall,
    )

    card = parse(client.get("/").content).find("article", cls="card")

    assert "A bad deploy of the login service." in card.find("div", cls="body").text()
    assert card.find_all("p", cls="meta")[-1].text() == (
        "Posted 2026-03-10 12:00 JST edited 2026-03-10 12:05 JST"
    )


def test_an_edit_shows_at_once_on_pages_already_cached(
    client, incident, oncall, clock, django_capture_on_commit_callbacks
):
    update = incident.updates.get(status="identified")
    assert "A bad deploy." in client.get(f"/incidents/{incident.public_id}").content.decode()
    assert client.get("/api/v2/incidents.json").json()["incidents"][0]["incident_updates"][0][
        "body"
    ] == ("A bad deploy.")

    clock.move_to(NOW + timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        services.edit_update_text(update=update, body="A bad deploy of login.", actor=oncall)

    assert (
        "A bad deploy of login." in client.get(f"/incidents/{incident.public_id}").content.decode()
    )
    assert client.get("/api/v2/incidents.json").json()["incidents"][0]["incident_updates"][0][
        "body"
    ] == ("A bad deploy of login.")


@pytest.mark.parametrize(
    ("language", "body", "note"),
    [
        ("en", "We are investigating errors.", "(edited Mar 10, 11:50 JST)"),
        ("ja", "ログインのエラーを調査しています。", "（編集済み Mar 10, 11:50 JST）"),
    ],
)
def test_the_atom_feed_shows_the_new_text_and_says_it_was_edited(
    client, incident, oncall, clock, language, body, note
):
    clock.move_to(NOW + timedelta(minutes=7))
    services.edit_update_text(
        update=incident.updates.get(status="investigating"), body_ja="", actor=oncall
    )
    services.edit_update_text(
        update=incident.updates.get(status="investigating"),
        body_ja="ログインのエラーを調査しています。",
        actor=oncall,
    )

    feed = ET.fromstring(client.get(f"/history.atom?lang={language}").content)

    entry = feed.find("a:entry", ATOM)
    assert entry.findtext("a:published", namespaces=ATOM) == "2026-03-10T11:30:00+09:00"
    assert entry.findtext("a:updated", namespaces=ATOM) == "2026-03-10T12:07:00+09:00"
    html = entry.findtext("a:content", namespaces=ATOM)
    note = note.replace("11:50", "12:07")
    assert html.endswith(f" - {body} <small>{note}</small></p>")
    assert html.count("<small>") == 3  # two times, one note: the later update was not edited


def test_the_feed_entry_is_updated_at_the_correction_when_it_is_the_latest_change(
    client, incident, oncall, clock
):
    clock.move_to(NOW + timedelta(minutes=20))
    services.edit_update_text(
        update=incident.updates.get(status="identified"),
        body="A bad deploy, rolled back.",
        actor=oncall,
    )

    atom = ET.fromstring(client.get("/history.atom").content)
    rss = client.get("/history.rss").content.decode()

    assert atom.findtext("a:entry/a:updated", namespaces=ATOM) == "2026-03-10T12:20:00+09:00"
    assert atom.findtext("a:updated", namespaces=ATOM) == "2026-03-10T12:20:00+09:00"
    assert "A bad deploy, rolled back. &lt;small&gt;(edited Mar 10, 12:20 JST)&lt;/small&gt;" in rss


@pytest.mark.parametrize(
    ("language", "body"),
    [("en", "We are investigating errors."), ("ja", "ログインのエラーを調査しています。")],
)
def test_api_v2_shows_the_new_text_with_updated_at_moved_and_no_new_key(
    client, incident, language, body
):
    answer = client.get(f"/api/v2/incidents/unresolved.json?lang={language}").json()

    updates = answer["incidents"][0]["incident_updates"]
    assert [set(u) for u in updates] == [UPDATE_KEYS, UPDATE_KEYS]
    edited = updates[-1]
    assert edited["body"] == body
    assert (edited["created_at"], edited["display_at"], edited["updated_at"]) == (
        "2026-03-10T11:30:00.000+09:00",
        "2026-03-10T11:30:00.000+09:00",
        "2026-03-10T11:50:00.000+09:00",
    )
    assert updates[0]["updated_at"] == updates[0]["created_at"]
