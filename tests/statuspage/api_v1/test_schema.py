"""The management API's OpenAPI document: valid OpenAPI 3, each path once (no `.json` twin),
every operation documented with its errors and examples; the docs page needs no CDN."""

import re

import pytest
import yaml
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client) -> dict:
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def management_operations(schema):
    for path, item in schema["paths"].items():
        if path.startswith("/api/v1/pages"):
            for method, operation in item.items():
                yield path, method, operation


def test_the_schema_is_valid_openapi_3_and_public(schema):
    validate(schema)
    assert schema["openapi"].startswith("3.")


def test_each_path_is_listed_once_without_the_json_suffix(schema):
    assert not [p for p in schema["paths"] if p.endswith(".json")]
    assert "/api/v1/pages/{page_id}/incidents/{incident_id}" in schema["paths"]


def test_every_operation_has_a_summary_errors_and_a_response_example(schema):
    for path, method, operation in management_operations(schema):
        name = f"{method.upper()} {path}"
        assert operation.get("summary"), name
        responses = operation["responses"]
        assert {"401", "403", "429"} <= set(responses), name
        success = [code for code in responses if code.startswith("2")]
        if "content" not in responses[success[0]]:
            continue  # answered with no body (204, or a 201 that only says "done")
        content = responses[success[0]]["content"]["application/json"]
        assert content.get("examples"), f"{name} has no response example"


def test_every_write_with_a_body_has_a_request_example_and_the_idempotency_header(schema):
    for path, method, operation in management_operations(schema):
        if method not in ("post", "patch", "put"):
            continue
        name = f"{method.upper()} {path}"
        headers = [p["name"] for p in operation.get("parameters", []) if p["in"] == "header"]
        assert "Idempotency-Key" in headers, name
        if "requestBody" not in operation:
            continue  # a step that takes no body (resume sending)
        body = operation["requestBody"]["content"]
        assert set(body) >= {"application/json", "application/x-www-form-urlencoded"}, name
        if method != "put":
            assert body["application/json"].get("examples"), f"{name} has no request example"


def test_the_docs_page_loads_everything_from_this_site(client):
    page = client.get("/api/v1/docs/")

    assert page.status_code == 200
    html = page.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/") for s in sources), sources
    assert "<style" not in html and "<script>" not in html  # the CSP allows no inline code
    assert client.get("/api/v1/docs/?script=").status_code == 200
