"""The management API's clients: one per role, each signed in as its user would be."""

import pytest
from rest_framework.test import APIClient

from incidents import selectors


def signed_in(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
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
