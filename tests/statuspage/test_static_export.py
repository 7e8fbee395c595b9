"""`manage.py export_static_page DIR`: the demo page written as files, each the live answer
(links aside), every link leading to a file of the export or away from it, in one step."""

import io
import json
import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client

from incidents.demo import seed_demo
from incidents.models import Incident
from statuspage.static_export.render import API_V2_DOCUMENTS
from tests.statuspage.static_export_files import exported_files, file_linked, links_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    seed_demo()


@pytest.fixture
def live():
    return Client(HTTP_HOST="127.0.0.1")


def export(target: Path, *extra: str) -> str:
    out = io.StringIO()
    call_command("export_static_page", str(target), *extra, stdout=out)
    return out.getvalue()


def test_the_export_holds_every_page_document_feed_and_asset_in_both_languages(demo, tmp_path):
    site = tmp_path / "site"
    output = export(site)
    files = exported_files(site)
    assert output == f"{len(files)} files written to {site}\n"
    for prefix in ("", "ja/"):
        for name in ("index.html", "history.html", "maintenance.html", "uptime.html"):
            assert prefix + name in files
        for name in ("history.atom", "history.rss", "maintenance.ics", "badge.svg"):
            assert prefix + name in files
        for document in API_V2_DOCUMENTS:
            assert f"{prefix}api/v2/{document}" in files
        for incident in Incident.objects.public():
            assert f"{prefix}incidents/{incident.public_id}.html" in files
        for incident in Incident.objects.filter(postmortem__published_at__isnull=False):
            assert f"{prefix}incidents/{incident.public_id}/postmortem.html" in files
        assert f"{prefix}history/page-2.html" in files
    assert {"static/statuspage/page.css", "static/statuspage/page.js"} <= files
    assert not any(name.startswith("ja/static/") for name in files)
    assert_links_lead_to_files_or_away(site, files)


def assert_links_lead_to_files_or_away(site: Path, files: set[str]) -> None:
    """Every link leads to a file of the export, to the live site or to another site."""
    pages = sorted(name for name in files if name.endswith(".html"))
    live_links = set()
    for page in pages:
        for url in links_of(site, page):
            target = file_linked(page, url)
            if target is None:
                assert not url.startswith("/"), (page, url)
                if url.startswith(settings.SITE_URL):
                    live_links.add(url.split("?")[0].removeprefix(settings.SITE_URL))
            else:
                assert target in files, (page, url)
    # Only what a folder cannot answer goes to the live site: subscribing, the history's
    # filter form, and the days next to an exported day that no uptime bar links to.
    incident_subscribe = {link for link in live_links if link.startswith("/incidents/")}
    assert live_links - incident_subscribe == {"/subscribe", "/history"}
    assert all(re.fullmatch(r"/incidents/\w+/subscribe", link) for link in incident_subscribe)
    home_links = {file_linked("index.html", url) for url in links_of(site, "index.html")}
    assert "ja/index.html" in home_links
    assert 'lang="ja"' in (site / "ja/index.html").read_text()


def test_the_documents_feeds_and_badges_are_what_the_site_serves(demo, tmp_path, live):
    site = tmp_path / "site"
    export(site)
    assert_feeds_served(site, live)
    for language, prefix in (("en", ""), ("ja", "ja/")):
        for document in API_V2_DOCUMENTS:
            served = live.get(f"/api/v2/{document}?lang={language}")
            assert (site / f"{prefix}api/v2/{document}").read_bytes() == served.content
        components = json.loads((site / f"{prefix}api/v2/components.json").read_text())
        for component in components["components"]:
            badge = f"components/{component['id']}/badge.svg"
            served = live.get(f"/{badge}?lang={language}")
            assert (site / prefix / badge).read_bytes() == served.content


def assert_feeds_served(site: Path, live: Client) -> None:
    """Without a base URL the feeds are the site's, byte for byte."""
    for name in ("history.atom", "history.rss", "maintenance.ics"):
        assert (site / "ja" / name).read_bytes() == live.get(f"/{name}?lang=ja").content
        assert (site / name).read_bytes() == live.get(f"/{name}?lang=en").content


def test_with_a_base_url_the_feeds_link_to_the_exported_pages(demo, tmp_path, live):
    site = tmp_path / "site"
    export(site, "--base-url", "https://cdn.example/status/")
    rss = (site / "ja/history.rss").read_text()
    links = re.findall(r"<link>([^<]*)</link>", rss)
    assert links[0] == "https://cdn.example/status/ja/index.html"
    for link in links[1:]:
        assert re.fullmatch(r"https://cdn\.example/status/ja/incidents/\w+\.html", link)
        assert link.removeprefix("https://cdn.example/status/") in exported_files(site)
    assert settings.SITE_URL not in rss
    atom = (site / "history.atom").read_text()
    assert 'href="https://cdn.example/status/history.atom"' in atom
    assert "tag:127.0.0.1,2005:/history" in atom  # ids stay, so readers know what they saw
    calendar = (site / "maintenance.ics").read_bytes().decode()
    unfolded = calendar.replace("\r\n ", "")
    assert "SOURCE;VALUE=URI:https://cdn.example/status/maintenance.ics\r\n" in unfolded
    assert all(len(line.encode()) <= 75 for line in calendar.split("\r\n"))


def test_an_export_replaces_the_previous_one_in_one_step(components, tmp_path):
    site = tmp_path / "site"
    export(site)
    first = os.readlink(site)
    export(site)
    second = os.readlink(site)
    assert site.is_symlink() and first != second
    assert (tmp_path / first / "index.html").exists()  # kept for readers still inside it
    export(site)
    assert not (tmp_path / first).exists()
    assert (tmp_path / second).exists() and (site / "index.html").exists()
    beside = {path.name for path in tmp_path.iterdir()}
    assert beside == {"site", ".site.export.json", second, os.readlink(site)}


def test_a_folder_of_someone_elses_is_never_replaced(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "notes.txt").write_text("mine")
    with pytest.raises(CommandError, match="exists and is not an export's link"):
        export(site)
    assert [path.name for path in site.iterdir()] == ["notes.txt"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["site"]


def test_an_empty_folder_made_ready_for_the_export_gives_way(components, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    export(site)
    assert site.is_symlink() and (site / "index.html").exists()


LIVE_RENDER = "statuspage/static/statuspage/live-render.js"


def test_a_live_page_follows_the_exported_summary_of_its_language(demo, tmp_path):
    """The demo has an open incident: the overview is live. In the export its configuration
    reads the summary file of the page's own language and loads a renderer the export holds."""
    site = tmp_path / "site"
    export(site)
    for page, language in (("index.html", "en"), ("ja/index.html", "ja")):
        html = (site / page).read_text()
        found = re.search(r'<script id="live-config" type="application/json">(.*?)</script>', html)
        assert found, page
        config = json.loads(found.group(1))
        summary = (site / page).parent / config["summary"]
        renderer = (site / page).parent / config["renderer"]
        assert summary.resolve() == (site / page).parent.resolve() / "api/v2/summary.json"
        assert renderer.resolve() == (site / "static/statuspage/live-render.js").resolve()
        assert renderer.read_bytes() == (Path(settings.BASE_DIR) / LIVE_RENDER).read_bytes()
        assert config["labels"]["ended"]["incidents"] == (
            "解決済み" if language == "ja" else "Resolved"
        )
