"""docs/api/statuspage-v2.openapi.yaml is a valid OpenAPI 3.1 document, and every live
response of the eight endpoints (demo page, small page, empty page) validates against it."""

import io
from functools import cache
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_openapi
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.statuspage.test_api_v2 import build_small_page

pytestmark = pytest.mark.django_db

DOCUMENT_PATH = Path(__file__).resolve().parents[2] / "docs/api/statuspage-v2.openapi.yaml"
DOCUMENT_URI = "urn:noroshi:statuspage-v2-openapi"
PATHS = [
    "/summary.json",
    "/status.json",
    "/components.json",
    "/incidents.json",
    "/incidents/unresolved.json",
    "/scheduled-maintenances.json",
    "/scheduled-maintenances/upcoming.json",
    "/scheduled-maintenances/active.json",
]


@cache
def openapi_document() -> dict:
    return yaml.safe_load(DOCUMENT_PATH.read_text(encoding="utf-8"))


def resolve(pointer: str) -> dict:
    node = openapi_document()
    for part in pointer.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def body_validator(path: str) -> Draft202012Validator:
    """A JSON Schema validator for the 200 body of GET `path`, $refs resolved in the document."""
    ok = openapi_document()["paths"][path]["get"]["responses"]["200"]
    schema_ref = resolve(ok["$ref"])["content"]["application/json"]["schema"]["$ref"]
    resource = Resource.from_contents(openapi_document(), default_specification=DRAFT202012)
    registry = Registry().with_resource(DOCUMENT_URI, resource)
    return Draft202012Validator(
        {"$ref": f"{DOCUMENT_URI}{schema_ref}"},
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def assert_valid(client, path: str) -> dict:
    response = client.get(f"/api/v2{path}")
    assert response.status_code == 200
    body = response.json()
    errors = [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in body_validator(path).iter_errors(body)
    ]
    assert errors == []
    return body


def test_the_document_is_valid_openapi_3_1():
    document = openapi_document()
    validate_openapi(document)
    assert document["openapi"].startswith("3.1.")
    assert sorted(document["paths"]) == sorted(PATHS)
    for operations in document["paths"].values():
        assert sorted(operations) == ["get", "head"]


def test_the_schemas_are_strict():
    schemas = openapi_document()["components"]["schemas"]
    for name in ("Page", "Component", "ComponentGroup", "Incident", "ScheduledMaintenance"):
        assert schemas[name]["additionalProperties"] is False
        assert sorted(schemas[name]["required"]) == sorted(schemas[name]["properties"])
    assert schemas["Id"]["pattern"] == "^[a-z0-9]{12}$"
    assert schemas["Indicator"]["enum"] == ["none", "minor", "major", "critical", "maintenance"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/components.json", {"page": {}, "components": []}),
        ("/status.json", {"page": {}, "status": {"indicator": "none", "description": "x"}}),
    ],
)
def test_the_schemas_reject_what_clients_would_choke_on(path, body):
    assert not body_validator(path).is_valid(body)


def test_a_component_with_an_extra_key_or_a_timestamp_without_milliseconds_is_rejected(client):
    build_small_page()
    body = client.get("/api/v2/components.json").json()
    validator = body_validator("/components.json")
    assert validator.is_valid(body)
    extra = {**body, "components": [{**body["components"][1], "automation_email": "x"}]}
    assert not validator.is_valid(extra)
    coarse = {**body, "page": {**body["page"], "updated_at": "2026-03-07T12:00:00+09:00"}}
    assert not validator.is_valid(coarse)
    naive = {**body, "page": {**body["page"], "updated_at": "2026-03-07T12:00:00.000"}}
    assert not validator.is_valid(naive)


@pytest.mark.parametrize("path", PATHS)
def test_demo_page_responses_match_the_document(client, path):
    call_command("seed_demo", stdout=io.StringIO())
    body = assert_valid(client, path)
    assert body["page"]["time_zone"] == "Asia/Tokyo"


@pytest.mark.parametrize("path", PATHS)
def test_small_page_responses_match_the_document(client, path):
    build_small_page()
    assert_valid(client, path)


@pytest.mark.parametrize("path", PATHS)
def test_empty_page_responses_match_the_document(client, path):
    body = assert_valid(client, path)
    assert all(value == [] for key, value in body.items() if key not in {"page", "status"})


def test_the_demo_page_fills_every_list(client):
    call_command("seed_demo", stdout=io.StringIO())
    summary = assert_valid(client, "/summary.json")
    assert summary["incidents"] and summary["scheduled_maintenances"]
    assert any(component["group"] for component in summary["components"])
    for path in PATHS[3:]:
        body = assert_valid(client, path)
        assert body[next(key for key in body if key != "page")], path
