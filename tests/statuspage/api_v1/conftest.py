"""The management API's clients: one per role, each sending an API key of its user as a
script would (`Authorization: OAuth <key>`)."""

import pytest
from rest_framework.test import APIClient

from incidents import selectors
from tests.api_keys import api_key_for


def signed_in(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"OAuth {api_key_for(user)}")
    return client


@pytest.fixture
def page_id(db) -> str:
    return selectors.page_settings().public_id


@pytest.fixture
def api(oncall) -> APIClient:
    return signed_in(oncall)


@pytest.fixture
def viewer_api(viewer) -> APIClient:
    return signed_in(viewer)


@pytest.fixture
def base(page_id) -> str:
    return f"/api/v1/pages/{page_id}"


def audited_writes() -> int:
    """Audit rows of writes (a key's use, noted once a minute, is no write of the request's)."""
    from incidents.models import AuditEntry

    return AuditEntry.objects.exclude(action="use_api_key").count()
