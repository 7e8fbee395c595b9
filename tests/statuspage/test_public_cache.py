"""Whole public responses are cached until the page changes, with validators and CDN headers,
and the last good rendering answers when the database is down."""

import pytest
from django.db import connection

from incidents import services

pytestmark = pytest.mark.django_db


def test_second_request_is_served_without_the_database(
    client, components, django_assert_num_queries
):
    first = client.get("/")
    with django_assert_num_queries(0):
        second = client.get("/")
    assert second.status_code == 200
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]


@pytest.mark.django_db(transaction=True)
def test_a_committed_update_shows_at_once(client, components):
    before = client.get("/")
    services.declare_incident(
        name="Elevated API errors",
        body="Investigating.",
        component_statuses={components["API"]: "major_outage"},
    )
    after = client.get("/")
    assert b"Elevated API errors" not in before.content
    assert b"Elevated API errors" in after.content
    assert after["ETag"] != before["ETag"]
    assert client.get("/", headers={"If-None-Match": before["ETag"]}).status_code == 200
    assert client.get("/", headers={"If-None-Match": after["ETag"]}).status_code == 304


def test_headers_let_a_shared_cache_hold_the_page(client, components):
    response = client.get("/")
    assert response["Cache-Control"] == (
        "public, max-age=1, s-maxage=1, stale-while-revalidate=1, stale-if-error=86400"
    )
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "Last-Modified" in response
    assert response.cookies == {}
    assert "Cookie" not in response.get("Vary", "")
    assert "Accept-Language" in response["Vary"]


def test_not_modified_carries_the_validators(client, components):
    etag = client.get("/")["ETag"]
    response = client.get("/", headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag


def test_language_from_query_or_header_gets_its_own_entry(client, components):
    english = client.get("/")
    by_header = client.get("/", headers={"Accept-Language": "ja-JP,ja;q=0.9"})
    by_query = client.get("/?lang=ja")
    assert english["Content-Language"] == "en"
    assert by_header["Content-Language"] == by_query["Content-Language"] == "ja"
    assert client.get("/", headers={"Accept-Language": "fr"})["Content-Language"] == "en"
    unknown = client.get("/?lang=xx", headers={"Accept-Language": "fr"})
    assert (unknown.status_code, unknown["Location"]) == (302, "/")


def test_head_is_answered_from_the_cache(client, components):
    get = client.get("/")
    head = client.head("/")
    assert head.status_code == 200
    assert head.content == b""
    assert head["ETag"] == get["ETag"]


@pytest.mark.django_db(transaction=True)
def test_the_last_good_page_answers_when_the_database_is_down(client, components):
    from incidents.changes import mark_page_changed

    good = client.get("/")
    mark_page_changed()  # the cached entry no longer matches: the next request must render
    settings_dict = connection.settings_dict
    saved = dict(settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        settings_dict["NAME"] = "/nonexistent/directory/noroshi.sqlite3"
    else:
        settings_dict["PORT"] = 1
    try:
        down = client.get("/")
    finally:
        connection.close()
        settings_dict.update(saved)
    assert down.status_code == 200
    assert down.content == good.content
    assert down["X-Noroshi-Snapshot"] == "stale"


def test_the_json_api_ignores_accept_language(client, components):
    response = client.get("/api/v2/status.json", headers={"Accept-Language": "ja"})
    assert response["Content-Language"] == "en"
    assert "Accept-Language" not in response.get("Vary", "")
    assert client.get("/api/v2/status.json?lang=ja")["Content-Language"] == "ja"


def test_the_console_still_follows_accept_language(admin_client):
    response = admin_client.get("/admin/", headers={"Accept-Language": "ja"})
    assert response["Content-Language"] == "ja"


def test_undeclared_query_parameters_share_one_entry(client, components, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    plain = client.get("/")
    for n in range(5):
        assert client.get(f"/?utm_source=x{n}&cachebuster={n}")["ETag"] == plain["ETag"]
    assert len(list((tmp_path / "snapshots").iterdir())) == 1


def test_declared_parameters_vary_the_response_but_are_not_snapshotted(
    client, components, settings, tmp_path
):
    settings.VAR_DIR = tmp_path
    first = client.get("/badge.svg?label=api")
    second = client.get("/badge.svg?label=web")
    assert first["ETag"] != second["ETag"]
    assert b"api" in first.content and b"web" in second.content
    assert not (tmp_path / "snapshots").exists()


def test_the_memory_fast_path_answers_like_the_view(client, components, monkeypatch):
    first = client.get("/")  # rendered by the view
    from django.contrib.sessions.middleware import SessionMiddleware

    def no_session(*args, **kwargs):
        raise AssertionError("the fast path must not reach the session middleware")

    monkeypatch.setattr(SessionMiddleware, "process_request", no_session)
    second = client.get("/")
    assert second.content == first.content
    assert dict(second.headers) == dict(first.headers)
    assert second.cookies == {}


def test_a_weak_etag_still_gets_304(client, components):
    etag = client.get("/")["ETag"]
    assert client.get("/", headers={"If-None-Match": f"W/{etag}"}).status_code == 304


def test_the_console_is_not_on_the_fast_path(admin_client):
    assert admin_client.get("/admin/").status_code == 200
    assert admin_client.get("/admin/").status_code == 200
