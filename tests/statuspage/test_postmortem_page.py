"""The public post-mortem page: shown once published (404 before), with the computed figures,
the timeline, the sections, only the public actions and their progress; linked from the
incident page and the history; in English and Japanese; Markdown that can carry no script;
a fixed number of queries; and the post-mortem in the history feeds."""

import xml.etree.ElementTree as ET
from datetime import date

import pytest
import time_machine

from incidents import services
from incidents.models import PostMortem
from tests.factories import UserFactory
from tests.incidents.postmortem_data import (
    AFTER,
    COMPLETE_SECTIONS,
    at,
    hand_built_incident,
    make_components,
)
from tests.statuspage.page_html import parse

pytestmark = pytest.mark.django_db

# page settings 1 · post-mortem with its incident 1 · timeline 1 · components 1 · public
# actions 1 · the components' status history 2 (opening statuses, changes) · the times of the
# updates and the first alert 1 · subscribers notified 1.
POSTMORTEM_QUERIES = 9


@pytest.fixture
def clock():
    with time_machine.travel(AFTER, tick=False) as traveller:
        yield traveller


@pytest.fixture
def draft(clock):
    services.edit_page_settings(
        name="Hoshizora Cloud", name_ja="ホシゾラクラウド", time_zone="Asia/Tokyo"
    )
    incident = hand_built_incident(make_components())
    services.edit_incident(incident=incident, name_ja="APIのエラー")
    author = UserFactory(username="aiko")
    postmortem = services.start_postmortem(incident=incident, actor=author)
    services.edit_postmortem(
        postmortem=postmortem,
        actor=author,
        detected_at=at("10:05"),
        summary_ja="設定変更によりAPIが1時間停止しました。",
        went_well="The rollback was quick.",
        **COMPLETE_SECTIONS,
    )
    services.submit_for_review(postmortem=postmortem, actor=author)
    services.sign_off_review(postmortem=postmortem, reviewer=UserFactory(username="kenji"))
    return postmortem


@pytest.fixture
def actions(draft):
    incident = draft.incident

    def add(kind, title, public=True, **fields):
        return services.create_recovery_action(
            incident=incident, kind=kind, title=title, public=public, **fields
        )

    done = add("prevent", "Canary every deploy", title_ja="すべてのデプロイでカナリア")
    services.complete_recovery_action(action=done, completed_at=at("14:00"))
    add("prevent", "Stage config changes by region")
    declined = add("detect", "Alert on 5xx per pool")
    services.decline_recovery_action(action=declined, reason="SLO alerts cover it.")
    add("process", "Internal: blame-free review training", public=False)
    return incident


@pytest.fixture
def published(draft, actions):
    return services.publish_postmortem(postmortem=draft)


def url(postmortem: PostMortem, query: str = "") -> str:
    return f"/incidents/{postmortem.incident.public_id}/postmortem{query}"


def children(node, tag: str) -> list:
    """The child elements of `node` with `tag` (not deeper descendants)."""
    return [child for child in node.children if not isinstance(child, str) and child.tag == tag]


def facts(document) -> dict:
    terms = document.find("dl", cls="facts")
    return dict(
        zip(
            [t.text() for t in terms.find_all("dt")],
            [d.text() for d in terms.find_all("dd")],
            strict=True,
        )
    )


def test_a_post_mortem_is_not_shown_until_published(client, draft):
    assert client.get(url(draft)).status_code == 404
    assert client.get("/incidents/nosuchid0000/postmortem").status_code == 404


def test_the_published_page_shows_figures_sections_and_timeline(client, published):
    response = client.get(url(published))

    assert response.status_code == 200
    document = parse(response.content)
    assert document.find("h1").text() == "API errors"
    assert document.find("title").text() == "Post-mortem: API errors · Hoshizora Cloud"
    assert facts(document) == {
        "Published on": "2026-03-11 00:00 JST",
        "Impact": "Major",
        "Impact began": "2026-03-10 19:00 JST",
        "Resolved": "2026-03-10 20:20 JST",
        "Time to detect": "5 min",
        "Time to acknowledge": "7 min",
        "Time to mitigate": "50 min",
        "Time to resolve": "1 h 20 min",
        "Time to first public update": "0 min",
        "Longest time without an update": "30 min",
    }
    assert [h.text() for h in document.find_all("h2")] == [
        "Summary",
        "Customer impact",
        "Timeline",
        "Root cause",
        "Detection",
        "What went well",
        "Recovery actions",
    ]
    rows = document.find("table", cls="impact-table").find("tbody").find_all("tr")
    assert [
        [cell.text() for cell in row.children if not isinstance(cell, str)] for row in rows
    ] == [
        ["API", "38 min", "12 min", "0 min"],
        ["Web", "0 min", "0 min", "68 min"],
    ]
    impact = document.find("section", **{"aria-labelledby": "section-customer_impact"})
    assert impact.find("p", cls="meta").text() == "Subscribers notified: 0"
    detection = document.find("section", **{"aria-labelledby": "section-detection"})
    assert detection.find("p").text() == "How we learned of it: Monitoring alert"
    timeline = children(document.find("ol", cls="timeline"), "li")
    assert [item.find("p", cls="meta").text() for item in timeline] == [
        "2026-03-10 19:00 JST",
        "2026-03-10 19:12 JST",
        "2026-03-10 19:30 JST",
        "2026-03-10 19:50 JST",
        "2026-03-10 20:20 JST",
    ]
    assert timeline[1].find("div", cls="body").text() == (
        "Investigating — API errors. API: Partial outage → Major outage "
        "Web: Operational → Degraded performance"
    )


def test_only_public_actions_are_listed_with_their_progress(client, published):
    document = parse(client.get(url(published)).content)

    section = document.find("section", **{"aria-labelledby": "section-actions"})
    assert [li.text() for li in section.find("ul", cls="progress").find_all("li")] == [
        "Prevention: 1 of 2 done",
        "Detection: 0 of 1 done · 1 won't be done",
    ]
    assert [li.text() for li in section.find("ul", cls="actions").find_all("li")] == [
        "Done — Canary every deploy Prevention · done 2026-03-10 23:00 JST",
        "Open — Stage config changes by region Prevention",
        "Won't do — Alert on 5xx per pool Detection",
    ]
    assert b"blame-free" not in client.get(url(published)).content


def test_progress_follows_the_actions_as_they_close(
    client, published, django_capture_on_commit_callbacks
):
    client.get(url(published))
    action = published.incident.recovery_actions.get(title="Stage config changes by region")

    with django_capture_on_commit_callbacks(execute=True):
        services.complete_recovery_action(action=action)

    document = parse(client.get(url(published)).content)
    progress = document.find("ul", cls="progress").find_all("li")
    assert progress[0].text() == "Prevention: 2 of 2 done"


def test_the_page_in_japanese(client, published):
    document = parse(client.get(url(published, "?lang=ja")).content)

    assert document.find("h1").text() == "APIのエラー"
    assert document.find("title").text() == "事後報告: APIのエラー · ホシゾラクラウド"
    assert list(facts(document))[:4] == ["公開日時", "影響度", "影響の開始", "解決済み"]
    assert facts(document)["解決までの時間"] == "1 時間 20 分"
    assert [h.text() for h in document.find_all("h2")][:3] == ["概要", "お客様への影響", "経緯"]
    summary = document.find("section", **{"aria-labelledby": "section-summary"})
    assert summary.find("div", cls="body").text() == "設定変更によりAPIが1時間停止しました。"
    root_cause = document.find("section", **{"aria-labelledby": "section-root_cause"})
    assert root_cause.find("div", cls="body").text() == COMPLETE_SECTIONS["root_cause"]
    section = document.find("section", **{"aria-labelledby": "section-actions"})
    assert [li.text() for li in section.find("ul", cls="progress").find_all("li")] == [
        "再発防止: 2 件中 1 件完了",
        "検知: 1 件中 0 件完了 · 1 件は実施しません",
    ]
    first = section.find("ul", cls="actions").find_all("li")[0]
    assert first.text() == "完了 — すべてのデプロイでカナリア 再発防止 · 2026-03-10 23:00 JST 完了"


def test_the_japanese_timeline_keeps_japanese_labels_when_an_update_has_no_japanese_body(
    client, published
):
    # The incident's updates were written in English only: the Japanese page shows their
    # English bodies inside Japanese status labels and component statuses, as the incident
    # page does, never the whole English entry.
    document = parse(client.get(url(published, "?lang=ja")).content)

    timeline = children(document.find("ol", cls="timeline"), "li")
    assert [item.find("div", cls="body").text() for item in timeline[1:3]] == [
        "調査中 — API errors. API: 部分的な障害 → 重大な障害 Web: 正常 → パフォーマンス低下",
        "原因特定 — A bad deploy.",
    ]
    assert timeline[1].find("strong").text() == "調査中"


def test_malicious_markdown_is_sanitised(client, draft, actions):
    services.return_to_draft(postmortem=draft)
    services.edit_postmortem(
        postmortem=draft,
        summary='<script>alert("x")</script> [click](javascript:alert(1)) '
        '<img src=x onerror="alert(1)"> **bold**',
        lessons="<iframe src='https://evil.example'></iframe>",
    )
    entry = draft.timeline_entries.first()
    services.edit_timeline_entry(entry=entry, text='<a href="javascript:alert(2)">x</a>')
    services.submit_for_review(postmortem=draft)
    services.sign_off_review(postmortem=draft, reviewer=UserFactory(username="mei"))
    services.publish_postmortem(postmortem=draft)

    html = client.get(url(draft)).content.decode()

    for dangerous in ("<script>", "javascript:", "onerror", "<iframe", "<img"):
        assert dangerous not in html, dangerous
    assert "<strong>bold</strong>" in html


def test_the_incident_page_and_history_link_to_the_published_post_mortem(client, published):
    incident_page = parse(client.get(f"/incidents/{published.incident.public_id}").content)
    history = parse(client.get("/history").content)

    link = incident_page.find("p", cls="postmortem-link").find("a")
    assert (link.text(), link.attrs["href"]) == ("Read the post-mortem →", url(published))
    summary = history.find("article", cls="past-incident")
    assert summary.find("p", cls="meta").find_all("a")[0].attrs["href"] == url(published)
    facts_list = incident_page.find("dl", cls="facts")
    assert facts_list.find_all("dd")[0].text() == "Postmortem"


def test_a_draft_is_not_linked(client, draft):
    incident_page = parse(client.get(f"/incidents/{draft.incident.public_id}").content)

    assert incident_page.find_all("p", cls="postmortem-link") == []


def test_the_page_costs_a_fixed_number_of_queries(client, published, django_assert_num_queries):
    address = url(published)
    with django_assert_num_queries(POSTMORTEM_QUERIES):
        assert client.get(address).status_code == 200
    with django_assert_num_queries(0):
        assert client.get(address).status_code == 200


def test_due_dates_stay_in_the_console(client, published):
    action = published.incident.recovery_actions.get(title="Stage config changes by region")
    services.edit_recovery_action(action=action, due_on=date(2026, 4, 1))

    assert b"2026-04-01" not in client.get(url(published)).content


ATOM = {"a": "http://www.w3.org/2005/Atom"}


def atom_entry(client, query: str = "") -> ET.Element:
    feed = ET.fromstring(client.get(f"/history.atom{query}").content)
    (entry,) = feed.findall("a:entry", ATOM)
    return entry


def test_the_feeds_carry_the_post_mortem_as_a_postmortem_paragraph(client, published):
    entry = atom_entry(client)
    link = f"http://127.0.0.1:8000{url(published)}"

    content = entry.find("a:content", ATOM).text
    assert content.startswith(
        "<p><small>Mar <var data-var='date'>11</var>, <var data-var='time'>00:00</var> JST"
        "</small><br><strong>Postmortem</strong> - A bad deploy broke the API for an hour.</p>"
        f"<p><a href='{link}'>{link}</a></p>"
        "<p><small>Mar <var data-var='date'>10</var>, <var data-var='time'>20:20</var> JST"
        "</small><br><strong>Resolved</strong> - All good.</p>"
    )
    assert entry.find("a:updated", ATOM).text == "2026-03-11T00:00:00+09:00"
    assert entry.find("a:published", ATOM).text == "2026-03-10T19:12:00+09:00"
    rss = client.get("/history.rss").content.decode()
    assert "&lt;strong&gt;Postmortem&lt;/strong&gt; - A bad deploy" in rss


def test_the_japanese_feed_carries_the_japanese_summary(client, published):
    content = atom_entry(client, "?lang=ja").find("a:content", ATOM).text

    assert "<strong>Postmortem</strong> - 設定変更によりAPIが1時間停止しました。</p>" in content


def test_a_draft_is_not_in_the_feeds(client, draft):
    content = atom_entry(client).find("a:content", ATOM).text

    assert "Postmortem" not in content
    assert content.startswith("<p><small>Mar <var data-var='date'>10</var>, ")
