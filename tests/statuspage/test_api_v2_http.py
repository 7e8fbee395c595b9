"""The /api/v2 HTTP surface: methods, headers, CORS, caching and validators."""

import pytest
from django.test import Client

from incidents import services
from incidents.changes import mark_page_changed
from tests.statuspage.test_api_v2 import build_small_page

pytestmark = pytest.mark.django_db

PATHS = [
    "/api/v2/summary.json",
    "/api/v2/status.json",
    "/api/v2/components.json",
    "/api/v2/incidents.json",
    "/api/v2/incidents/unresolved.json",
    "/api/v2/scheduled-maintenances.json",
    "/api/v2/scheduled-maintenances/upcoming.json",
    "/api/v2/scheduled-maintenances/active.json",
]
CACHE_CONTROL = "public, max-age=1, s-maxage=1, stale-while-revalidate=1, stale-if-error=86400"
# An uncached rendering of each: the small page has no active window, so summary.json and
# active.json prefetch no timeline for it (with one, every list costs 4: see test_api_v2.py).
QUERIES = [12, 4, 3, 5, 5, 5, 5, 2]


@pytest.fixture
def small_page():
    return build_small_page()


@pytest.mark.parametrize("path", PATHS)
def test_get_answers_json_that_any_origin_may_read(client, small_page, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cache-Control"] == CACHE_CONTROL
    assert response["ETag"].startswith('"')
    assert "Last-Modified" in response
    assert response.cookies == {}
    assert next(iter(response.json())) == "page"


@pytest.mark.parametrize("path", PATHS)
def test_head_answers_the_get_headers_without_a_body(client, small_page, path):
    get = client.get(path)
    head = client.head(path)
    assert head.status_code == 200
    assert head.content == b""
    assert head["Content-Type"] == "application/json; charset=utf-8"
    assert head["Access-Control-Allow-Origin"] == "*"
    assert head["ETag"] == get["ETag"]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "options"])
@pytest.mark.parametrize("path", PATHS)
def test_other_methods_are_not_allowed_even_without_a_csrf_token(small_page, path, method):
    client = Client(enforce_csrf_checks=True)
    response = getattr(client, method)(path)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


def test_unicode_is_sent_as_utf8(client, small_page):
    response = client.get("/api/v2/components.json?lang=ja")
    assert "基盤".encode() in response.content


@pytest.mark.parametrize(("path", "queries"), list(zip(PATHS, QUERIES, strict=True)))
def test_a_rendering_costs_a_fixed_number_of_queries_and_a_repeat_none(
    client, small_page, django_assert_num_queries, path, queries
):
    mark_page_changed()
    with django_assert_num_queries(queries):
        first = client.get(path)
    with django_assert_num_queries(0):
        second = client.get(path)
    assert second.content == first.content


@pytest.mark.django_db(transaction=True)
def test_a_published_update_shows_at_once_and_moves_the_etag(client):
    page = build_small_page()
    before = client.get("/api/v2/summary.json")
    services.post_update(incident=page.incident, status="identified", body="It was the cache.")
    after = client.get("/api/v2/summary.json")
    [incident] = after.json()["incidents"]
    assert incident["status"] == "identified"
    assert incident["incident_updates"][0]["body"] == "It was the cache."
    assert after["ETag"] != before["ETag"]
    stale = client.get("/api/v2/summary.json", headers={"If-None-Match": before["ETag"]})
    assert stale.status_code == 200
    assert stale.content == after.content
    fresh = client.get("/api/v2/summary.json", headers={"If-None-Match": after["ETag"]})
    assert fresh.status_code == 304
    assert fresh.content == b""
    assert fresh["ETag"] == after["ETag"]
    assert fresh["Access-Control-Allow-Origin"] == "*"
