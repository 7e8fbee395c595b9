"""The overview answers with the roll-up and the components, and the health check answers."""

import pytest

from incidents import services

pytestmark = pytest.mark.django_db


def test_overview_shows_the_rollup_and_components(client, components):
    services.declare_incident(
        name="Elevated API errors",
        body="We are investigating.",
        component_statuses={components["API"]: "major_outage"},
    )
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Partial System Outage" in html
    assert "Elevated API errors" in html
    assert "Major outage" in html
