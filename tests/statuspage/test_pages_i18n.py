"""English and Japanese: translated UI strings and status names, translated content with
fallback, the language switcher, and a compiled catalogue that matches its source."""

from pathlib import Path

import polib
import pytest
import time_machine
from django.conf import settings

from incidents import services
from incidents.choices import StatusChangeSource
from tests.factories import ComponentGroupFactory
from tests.statuspage.page_data import NOW, component, past_incident, tokyo, tokyo_page
from tests.statuspage.page_html import parse

pytestmark = pytest.mark.django_db

CATALOGUES = [
    Path(settings.BASE_DIR) / app / "locale" / "ja" / "LC_MESSAGES"
    for app in ("statuspage", "notify", "incidents")
]


@pytest.fixture
def page():
    with time_machine.travel(NOW, tick=False):
        tokyo_page()
        platform = ComponentGroupFactory(name="Platform", name_ja="プラットフォーム", position=1)
        api = component("API", group=platform, name_ja="API(日本)")
        component("Search", name_ja="検索", description="Full-text search.", position=5)
        incident = past_incident(
            "Login errors",
            {api: "major_outage"},
            tokyo(3, 6, 10),
            60,
            name_ja="ログイン障害",
            body_ja="調査しています。",
        )
        services.set_component_status(
            component=api, status="degraded_performance", source=StatusChangeSource.API
        )
        yield incident


@pytest.mark.parametrize(
    ("path", "headers"), [("/?lang=ja", {}), ("/", {"Accept-Language": "ja-JP,ja;q=0.9"})]
)
def test_overview_in_japanese(client, page, path, headers):
    response = client.get(path, headers=headers)

    document = parse(response.content)
    assert response["Content-Language"] == "ja"
    assert document.find("html").attrs["lang"] == "ja"
    assert document.find("h1").text() == "ホシゾラクラウドのステータス"
    assert (
        document.find("p", id="page-status").text() == "一部のサービスで軽微な障害が発生しています"
    )
    assert [
        (row.find(cls="name").text(), row.find(cls="status").text())
        for row in document.find_all("div", cls="row")
    ] == [("API(日本)", "パフォーマンス低下"), ("検索", "正常")]
    assert document.find("summary").text() == "プラットフォーム パフォーマンス低下"
    assert [a.text() for a in document.find("nav", cls="site-nav").find_all("a")] == [
        "現在の状況",
        "履歴",
        "メンテナンス",
        "稼働率",
    ]
    march_6 = document.find_all("div", cls="uptime")[0].find_all("li")[85]
    assert march_6.attrs["aria-label"] == "2026年3月6日\n重大な障害: 60 分\n関連: ログイン障害"
    past = document.find("section", **{"aria-labelledby": "past-incidents"})
    shown_days = [d for d in past.find_all("div", cls="past-day") if "hidden" not in d.attrs]
    assert shown_days[0].find("h3").text() == "2026年3月10日"
    assert past.find_all("p", cls="empty")[0].text() == "報告された障害はありません。"
    assert past.find("h4").text() == "ログイン障害"


def test_incident_page_in_japanese_falls_back_to_english_per_update(client, page):
    document = parse(client.get(f"/incidents/{page.public_id}?lang=ja").content)

    assert document.find("h1").text() == "ログイン障害"
    timeline = [
        (item.find("h3").text(), item.find("div", cls="body").text())
        for item in document.find("ol", cls="timeline").find_all("article")
    ]
    assert timeline == [
        ("解決済み", "This is resolved."),
        ("原因特定", "We found the cause."),
        ("調査中", "調査しています。"),
    ]
    terms = [dt.text() for dt in document.find("dl", cls="facts").find_all("dt")]
    assert terms == ["ステータス", "影響度", "発生日時", "解決済み", "影響を受けたコンポーネント"]


def test_language_switcher_keeps_the_path_and_query(client, page):
    document = parse(client.get("/history?page=1").content)

    switcher = document.find("nav", cls="lang-nav").find_all("a")
    assert [
        (a.text(), a.attrs["href"], a.attrs["lang"], a.attrs.get("aria-current")) for a in switcher
    ] == [
        ("English", "/history?page=1&lang=en", "en", "true"),
        ("日本語", "/history?page=1&lang=ja", "ja", None),
    ]


def test_a_language_chosen_by_query_follows_internal_links(client, page):
    document = parse(client.get("/?lang=ja").content)

    assert [a.attrs["href"] for a in document.find("nav", cls="site-nav").find_all("a")] == [
        "/?lang=ja",
        "/history?lang=ja",
        "/maintenance?lang=ja",
        "/uptime?lang=ja",
    ]
    assert document.find("a", cls="button").attrs["href"] == "/subscribe?lang=ja"
    assert document.find("h4").find("a").attrs["href"] == f"/incidents/{page.public_id}?lang=ja"


@pytest.mark.parametrize("folder", CATALOGUES, ids=lambda folder: folder.parts[-4])
def test_every_entry_of_the_catalogue_is_translated(folder):
    catalogue = polib.pofile(str(folder / "django.po"))

    assert catalogue.untranslated_entries() == []
    assert catalogue.fuzzy_entries() == []
    assert catalogue.metadata["Language"] == "ja"


@pytest.mark.parametrize("folder", CATALOGUES, ids=lambda folder: folder.parts[-4])
def test_compiled_catalogue_matches_its_source(folder, tmp_path):
    source = polib.pofile(str(folder / "django.po"))
    source.save_as_mofile(str(tmp_path / "django.mo"))

    def messages(mo):
        return {
            (e.msgctxt, e.msgid, e.msgid_plural): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
            for e in mo
        }

    committed = polib.mofile(str(folder / "django.mo"))
    assert messages(committed) == messages(polib.mofile(str(tmp_path / "django.mo")))
    assert len(committed) == len(source.translated_entries())
