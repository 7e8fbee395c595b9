"""Hostile text in every public field (tests.security.hostile_page) stays text on every public
HTML page, in English and Japanese: overview, incident, history (by month, by component, by
day, with hostile filters), maintenance, uptime, post-mortem, subscribe, and the subscriber's
own pages. Each answer is parsed and nothing that could run may be in it that Noroshi did not
write (tests.security.inert); the payloads are shown as the text they are."""

from urllib.parse import quote

import pytest
from django.utils import timezone

from notify.models import Subscriber
from notify.signing import link_path
from tests.security.inert import assert_inert_html, html_findings
from tests.security.payloads import PAYLOADS, single_line
from tests.statuspage.page_html import parse

pytestmark = pytest.mark.django_db

LANGUAGES = ("", "lang=ja")


@pytest.fixture
def page(db, hostile):
    return hostile


def public_paths(page) -> list[str]:
    first, postmortem = page.incidents[0], page.postmortem
    today = timezone.localdate().isoformat()
    hostile = quote(PAYLOADS["attribute breakout"])
    return [
        "/",
        *(f"/incidents/{incident.public_id}" for incident in page.incidents),
        *(f"/incidents/{window.public_id}" for window in page.maintenance),
        f"/incidents/{postmortem.incident.public_id}/postmortem",
        "/history",
        f"/history?component={page.components[0].public_id}",
        f"/history?day={today}",
        f"/history?component={hostile}",
        f"/history?day={hostile}",
        f"/history?page={hostile}",
        "/maintenance",
        "/uptime",
        f"/uptime/{page.components[1].public_id}",
        f"/uptime/{page.components[1].public_id}?month={hostile}",
        "/subscribe",
        f"/subscribe?channel={hostile}",
        f"/incidents/{first.public_id}/subscribe",
        f"/?lang={hostile}",
    ]


def with_language(path: str, language: str) -> str:
    if not language:
        return path
    return f"{path}{'&' if '?' in path else '?'}{language}"


def test_no_payload_runs_on_any_public_page(client, page):
    answers = {}
    for path in public_paths(page):
        for language in LANGUAGES:
            url = with_language(path, language)
            response = client.get(url)
            assert response.status_code in {200, 302, 404}, url
            if response.status_code == 302:  # an unknown ?lang= is dropped
                assert response["Location"].startswith("/") and "<" not in response["Location"]
            answers[url] = html_findings(response.content)
    assert {url: found for url, found in answers.items() if found} == {}
    assert len(answers) == 2 * len(public_paths(page))


def test_the_payloads_are_shown_as_the_text_they_are(client, page):
    """Escaped, not dropped: a visitor reads the name the team typed, markup and all."""
    overview = parse(client.get("/").content)
    shown = overview.text()
    for payload in PAYLOADS.values():
        assert " ".join(single_line(payload)[:100].split()) in shown
    incident = page.incidents[0]
    document = parse(client.get(f"/incidents/{incident.public_id}").content)
    assert document.find("h1").text() == single_line(PAYLOADS["script"])


def test_the_live_config_is_json_that_cannot_close_its_script(client, page):
    """The overview's live-update config (json_script) carries names: `</script>` and `<!--`
    inside it are escaped, so the element ends where Noroshi ends it."""
    html = client.get("/").content.decode()
    start = html.index('<script id="live-config" type="application/json">')
    config = html[start : html.index("</script>", start)]
    assert "<" not in config.split(">", 1)[1]
    assert_inert_html(html, "/")


def test_the_subscriber_s_own_input_is_echoed_as_text(client, page, settings):
    settings.NOROSHI_SIGNUP_LIMITS_ENABLED = True
    hostile = PAYLOADS["attribute breakout"]
    for channel, address in [
        ("email", f"{hostile}@example.com"),
        ("email", PAYLOADS["script"]),
        ("webhook", f"https://evil.example/{PAYLOADS['script']}"),
        ("webhook", f"javascript:{PAYLOADS['script']}"),
        ("sms", PAYLOADS["img onerror"]),
    ]:
        answer = client.post(
            "/subscribe", {"channel": channel, "address": address, "language": hostile}
        )
        assert answer.status_code == 400, (channel, address)
        assert_inert_html(answer.content, f"/subscribe with {address!r}")
    assert not Subscriber.objects.exists()


def test_the_manage_and_unsubscribe_pages_show_hostile_names_as_text(client, page):
    subscriber = Subscriber.objects.create(
        channel="webhook",
        address=f"https://hooks.example.com/{quote(PAYLOADS['script'])}",
        confirmed_at=timezone.now(),
    )
    subscriber.components.set(page.components)
    for action in ("manage", "unsubscribe", "confirm"):
        for language in LANGUAGES:
            url = with_language(link_path(subscriber, action), language)
            assert_inert_html(client.get(url).content, url)
    unsubscribed = client.post(link_path(subscriber, "unsubscribe"))
    assert_inert_html(unsubscribed.content, "unsubscribed")
