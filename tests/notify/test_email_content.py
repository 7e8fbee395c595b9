"""What an announcement's e-mail says, in its text and its HTML: the update's time in the
page's zone with the zone's abbreviation, the components the update set with their statuses
(old → new where they changed), in the subscriber's language; untrusted text kept inert."""

from zoneinfo import ZoneInfo

import pytest
import time_machine

from incidents import services
from notify.messages import Announcement, email, time_text
from notify.models import Notification
from tests.factories import ComponentFactory
from tests.notify.recovery import POSTED_AT, RECOVERY_LINES, RECOVERY_TIME
from tests.statuspage.page_html import parse

pytestmark = pytest.mark.django_db


def content(update, language: str):
    return email.content(Announcement(Notification.objects.get(update=update), language))


def test_the_text_says_when_and_lists_the_components_with_their_statuses(recovery):
    mail = content(recovery, "en")
    assert mail.subject == "[Noroshi] [Monitoring] Elevated API errors"
    assert mail.text == (
        "[Monitoring] Elevated API errors\n"
        "Monitoring · Dec 5, 2026 17:35 JST\n"
        "\n"
        "A fix is **out**.\n"
        "\n"
        "Affected components:\n"
        "- Platform - Queue: Major outage\n"
        "- API: Partial outage → Operational\n"
        "- Web: Operational → Degraded performance\n"
        "\n"
        "Earlier updates:\n"
        "- Dec 5, 2026 17:05 JST Investigating — Investigating.\n"
        "\n"
        f"Details: http://127.0.0.1:8000/incidents/{recovery.incident.public_id}\n"
        "\n"
        "--\n"
        "You are subscribed to Noroshi status updates.\n"
        "Manage your subscription: {manage_url}\n"
        "Unsubscribe: {unsubscribe_url}\n\n"
    )


def test_the_html_says_when_and_lists_the_components_with_their_statuses(recovery):
    document = parse(content(recovery, "en").html)
    [status_line] = [p for p in document.find_all("p") if p.find_all("time")]
    assert status_line.text() == f"Monitoring · {RECOVERY_TIME['en']}"
    assert status_line.find("time").attrs["datetime"] == "2026-12-05T17:35+09:00"
    assert [h.text() for h in document.find_all("h2")] == [
        "Affected components",
        "Earlier updates",
    ]
    assert (
        "<ul><li><strong>Platform - Queue</strong>: Major outage</li>"
        "<li><strong>API</strong>: Partial outage → Operational</li>"
        "<li><strong>Web</strong>: Operational → Degraded performance</li></ul>"
    ) in content(recovery, "en").html


def test_a_japanese_subscriber_reads_japanese_names_labels_and_date(recovery):
    mail = content(recovery, "ja")
    assert mail.subject == "[Noroshi] [経過観察中] APIのエラー率上昇"
    assert mail.text.splitlines()[:9] == [
        "[経過観察中] APIのエラー率上昇",
        "経過観察中 · 2026年12月5日 17:35 JST",
        "",
        "修正を**適用**しました。",
        "",
        "影響を受けたコンポーネント:",
        *[f"- {line}" for line in RECOVERY_LINES["ja"]],
    ]
    assert parse(mail.html).find("time").text() == RECOVERY_TIME["ja"]
    assert (
        "<ul><li><strong>プラットフォーム - キュー</strong>: 重大な障害</li>"
        "<li><strong>API</strong>: 部分的な障害 → 正常</li>"
        "<li><strong>ウェブ</strong>: 正常 → パフォーマンス低下</li></ul>"
    ) in mail.html


def test_no_component_section_when_the_update_set_none(outage):
    with time_machine.travel(POSTED_AT, tick=False):
        update = services.post_update(incident=outage, status="identified", body="Found it.")
    mail = content(update, "en")
    assert mail.text.splitlines()[:4] == [
        "[Identified] Elevated API errors",
        "Identified · Dec 5, 2026 08:35 UTC",
        "",
        "Found it.",
    ]
    assert "Affected components" not in mail.text
    assert "Affected components" not in mail.html
    assert [h.text() for h in parse(mail.html).find_all("h2")] == ["Earlier updates"]


def test_names_and_bodies_stay_inert_in_the_html(components):
    edge = ComponentFactory(name="<img src=x onerror=alert(1)> & Edge")
    incident = services.declare_incident(
        name="Edge <b>errors</b>",
        body='<script>alert(1)</script> [x](javascript:alert(1)) <a href="https://ok.example">ok</a>',
        component_statuses={edge: "major_outage"},
    )
    mail = content(incident.updates.get(), "en")
    assert "<script" not in mail.html and "javascript:" not in mail.html
    assert "<img" not in mail.html
    assert (
        "<li><strong>&lt;img src=x onerror=alert(1)&gt; &amp; Edge</strong>: "
        "Operational → Major outage</li>"
    ) in mail.html
    assert "[Investigating] Edge &lt;b&gt;errors&lt;/b&gt;</h1>" in mail.html
    assert '<a href="https://ok.example" rel="nofollow noopener noreferrer">ok</a>' in mail.html


def test_a_zone_without_an_abbreviation_shows_its_offset():
    assert time_text(POSTED_AT, ZoneInfo("America/Sao_Paulo"), "en") == (
        "Dec 5, 2026 05:35 UTC-03:00"
    )
    assert time_text(POSTED_AT, ZoneInfo("Etc/UTC"), "ja") == "2026年12月5日 08:35 UTC"
