"""Every write of the management API, as its OpenAPI document lists them, against each role:
a Viewer's key is refused (403) on every one and an anonymous caller is asked for a key (401),
so no write path can be left open by forgetting its permission."""

import re

import pytest
import yaml
from rest_framework.test import APIClient

from tests.statuspage.api_v1.conftest import signed_in

pytestmark = pytest.mark.django_db

WRITES = ("post", "patch", "put", "delete")


def write_operations(client) -> list[tuple[str, str]]:
    schema = yaml.safe_load(client.get("/api/v1/schema/").content)
    found = []
    for path, item in schema["paths"].items():
        if not path.startswith("/api/v1/") or path.startswith("/api/v1/integrations/"):
            continue  # alert integrations authenticate by the token in their address
        for method in item:
            if method in WRITES:
                # Any id will do: the role is checked before the object is looked up.
                found.append((method, re.sub(r"\{(\w+)\}", fill, path)))
    return found


def fill(match: re.Match) -> str:
    return "1" if match[1] == "notification_id" else "abc123"


@pytest.fixture
def operations(client) -> list[tuple[str, str]]:
    found = write_operations(client)
    assert len(found) >= 40
    return found


def test_a_viewer_key_is_refused_on_every_write(viewer, operations):
    api = signed_in(viewer)

    answers = {(m, p): getattr(api, m)(p, {}, format="json").status_code for m, p in operations}

    assert {key: code for key, code in answers.items() if code != 403} == {}


def test_an_anonymous_caller_is_asked_for_a_key_on_every_write(operations):
    api = APIClient()

    answers = {(m, p): getattr(api, m)(p, {}, format="json").status_code for m, p in operations}

    assert {key: code for key, code in answers.items() if code != 401} == {}


def test_an_oncall_key_is_refused_only_the_page_s_settings(oncall, operations):
    api = signed_in(oncall)

    refused = {
        (m, p) for m, p in operations if getattr(api, m)(p, {}, format="json").status_code == 403
    }

    assert refused == {("patch", "/api/v1/pages/abc123"), ("put", "/api/v1/pages/abc123")}
