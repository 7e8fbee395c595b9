"""The overview and the history keep past incidents' summaries rendered between page versions:
an update to another incident reuses them, and anything a summary shows — an edited or new
update, a renamed incident, a published post-mortem, the page's zone, the language, a language
chosen by query — gives it a new key, so no summary is ever stale."""

from datetime import timedelta

import pytest
import time_machine

from incidents import services
from incidents.changes import mark_page_changed
from incidents.choices import StatusChangeSource
from statuspage.views.summary_cache import RenderedSummaries
from tests.statuspage.page_data import NOW, component, past_incident, tokyo, tokyo_page
from tests.statuspage.page_html import parse
from tests.statuspage.public_stage import published_postmortem

pytestmark = pytest.mark.django_db

SUMMARY = "statuspage/includes/incident_summary.html"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        tokyo_page()
        yield traveller


@pytest.fixture
def login_errors():
    return past_incident("Login errors", {component("API"): "major_outage"}, tokyo(3, 9, 10), 60)


def page(client, path="/", **headers):
    """A fresh render of `path` (the page version moved, as after any update)."""
    mark_page_changed()
    return client.get(path, headers=headers)


def rendered_summaries(response) -> int:
    return sum(1 for template in response.templates if template.name == SUMMARY)


def past_text(client, path="/", **headers) -> str:
    document = parse(page(client, path, **headers).content)
    return " ".join(article.text() for article in document.find_all("article", cls="past-incident"))


@pytest.mark.parametrize("path", ["/", "/history"])
def test_a_summary_is_rendered_once_and_served_alike(client, login_errors, path):
    first = page(client, path)
    again = page(client, path)

    assert rendered_summaries(first) == 1
    assert rendered_summaries(again) == 0
    assert again.content == first.content


def test_a_change_elsewhere_reuses_the_summary(client, login_errors):
    page(client)
    services.set_component_status(
        component=component("Web"), status="degraded_performance", source=StatusChangeSource.API
    )

    response = page(client)

    assert rendered_summaries(response) == 0
    assert "Degraded performance" in response.content.decode()


def test_an_edited_update_shows_at_once(client, login_errors, clock, oncall):
    assert "We found the cause." in past_text(client)

    clock.move_to(NOW + timedelta(minutes=5))
    services.edit_update_text(
        update=login_errors.updates.get(status="identified"),
        body="We found the cause: an expired certificate.",
        actor=oncall,
    )

    text = past_text(client)
    assert "an expired certificate" in text
    assert "edited" in text


def test_a_new_update_shows_at_once(client):
    open_incident = services.declare_incident(
        name="Slow dashboard",
        body="Investigating.",
        component_statuses={component("Web"): "degraded_performance"},
        deliver_notifications=False,
    )
    assert "Slow dashboard" in past_text(client)

    services.post_update(
        incident=open_incident, status="identified", body="A follow-up: certificates now renew."
    )

    assert "certificates now renew" in past_text(client, "/history")
    assert "certificates now renew" in past_text(client)


def test_a_renamed_incident_shows_at_once(client, login_errors):
    past_text(client)
    services.edit_incident(incident=login_errors, name="Sign-in errors")

    assert "Sign-in errors" in past_text(client)


def test_a_published_postmortem_is_linked_at_once(client, login_errors):
    assert "Post-mortem" not in past_text(client)

    published_postmortem(login_errors)

    assert "Post-mortem" in past_text(client)


def test_a_new_time_zone_shows_at_once(client, login_errors):
    assert "2026-03-09 10:00 JST" in past_text(client, "/history")

    services.edit_page_settings(time_zone="Europe/Paris")

    assert "2026-03-09 02:00 CET" in past_text(client, "/history")


def test_each_language_and_choice_of_it_has_its_own(client, login_errors):
    english = page(client, "/history")
    japanese = page(client, "/history", **{"Accept-Language": "ja"})
    chosen = page(client, "/history?lang=ja")

    assert rendered_summaries(japanese) == rendered_summaries(chosen) == 1
    assert "Impact: " in english.content.decode()
    assert "影響度: " in japanese.content.decode()
    link = parse(chosen.content).find("article", cls="past-incident").find("a")
    assert link.attrs["href"].endswith("?lang=ja")
    plain = parse(japanese.content).find("article", cls="past-incident").find("a")
    assert "lang=" not in plain.attrs["href"]


def test_the_least_recently_used_are_dropped_first():
    kept = RenderedSummaries(max_kept=2)
    kept.put("a", "A")
    kept.put("b", "B")
    assert kept.get("a") == "A"  # now the most recent

    kept.put("c", "C")

    assert (kept.get("a"), kept.get("b"), kept.get("c")) == ("A", None, "C")
    assert len(kept) == 2
