"""`/embed.js`, the status embed's script, through Django's test client: what it is served
with (JavaScript, CORS, five minutes of cache, an ETag, no cookie), the words it carries in
every language, and that it reads no database. It runs from another origin in
tests/e2e/test_browser_embed.py."""

import json

import pytest

pytestmark = pytest.mark.django_db


def embed_config(response) -> dict:
    """The configuration the script is called with: its last line, `})({…});`."""
    last = response.content.decode().rstrip().splitlines()[-1]
    assert last.startswith("})(") and last.endswith(");")
    return json.loads(last[3:-2])


def test_the_script_is_served_for_other_sites_to_load(client):
    response = client.get("/embed.js")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cache-Control"] == (
        "public, max-age=300, stale-while-revalidate=3600, stale-if-error=86400"
    )
    assert "Vary" not in response
    assert response.cookies == {}
    again = client.get("/embed.js", headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304


def test_the_script_carries_its_words_in_every_language(client):
    config = embed_config(client.get("/embed.js"))

    assert config["seconds"] == 60
    assert config["default"] == "en"
    english, japanese = config["languages"]["en"], config["languages"]["ja"]
    assert english["summary"] == "/api/v2/summary.json"
    assert english["incident"] == "/incidents/__id__"
    assert english["status"]["identified"] == "Identified"
    assert english["region"] == "%(page_name)s status"
    assert japanese["summary"] == "/api/v2/summary.json?lang=ja"
    assert japanese["page"] == "/?lang=ja"
    assert japanese["status"]["identified"] == "原因特定"
    # The same script whatever the visitor's browser asks: the host page decides.
    assert client.get("/embed.js", headers={"Accept-Language": "ja"}).content == (
        client.get("/embed.js").content
    )


def test_the_script_reads_no_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get("/embed.js").status_code == 200


def test_the_summary_it_reads_is_open_to_other_origins(client):
    response = client.get("/api/v2/summary.json", headers={"Origin": "https://app.example.com"})

    assert response["Access-Control-Allow-Origin"] == "*"
    assert response.cookies == {}
