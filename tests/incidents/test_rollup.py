"""Impact and the page roll-up, per docs/reference/statuspage-v2.md."""

import pytest

from incidents import selectors, services
from incidents.selectors import rollup

DESCRIPTIONS = {
    "none": "All Systems Operational",
    "minor": "Minor Service Outage",
    "major": "Partial System Outage",
    "critical": "Major System Outage",
    "maintenance": "Service Under Maintenance",
}


@pytest.mark.parametrize(
    ("statuses", "impacts", "maintenance", "indicator"),
    [
        ([], [], False, "none"),
        (["operational"], [], False, "none"),
        (["operational", "degraded_performance"], [], False, "minor"),
        (["partial_outage"], [], False, "minor"),
        (["major_outage"], [], False, "major"),
        (["major_outage", "partial_outage", "degraded_performance"], [], False, "major"),
        (["operational"], ["none"], False, "none"),
        (["operational"], ["minor"], False, "minor"),
        (["operational"], ["major"], False, "major"),
        (["operational"], ["critical"], False, "critical"),
        (["major_outage"], ["critical"], False, "critical"),
        (["major_outage"], ["minor"], False, "major"),
        (["partial_outage"], ["major"], False, "major"),
        (["under_maintenance"], [], False, "maintenance"),
        (["under_maintenance", "operational"], ["none"], False, "maintenance"),
        (["operational"], [], True, "maintenance"),
        (["under_maintenance", "degraded_performance"], [], False, "minor"),
        (["under_maintenance"], ["minor"], True, "minor"),
        (["operational"], ["critical"], True, "critical"),
    ],
)
def test_rollup_takes_the_worst_input(statuses, impacts, maintenance, indicator):
    status = rollup(
        component_statuses=statuses, incident_impacts=impacts, maintenance_active=maintenance
    )
    assert (status.indicator, status.description) == (indicator, DESCRIPTIONS[indicator])


@pytest.mark.parametrize(
    ("component_statuses", "impact"),
    [
        ([], "none"),
        (["operational"], "none"),
        (["under_maintenance"], "none"),
        (["degraded_performance"], "minor"),
        (["partial_outage"], "minor"),
        (["major_outage"], "major"),
        (["degraded_performance", "major_outage"], "major"),
    ],
)
def test_impact_follows_the_worst_affected_component(components, component_statuses, impact):
    chosen = dict(zip(components.values(), component_statuses, strict=False))
    incident = services.declare_incident(name="Trouble", body="…", component_statuses=chosen)
    assert incident.impact == impact


def test_impact_keeps_its_peak_as_components_recover(components):
    api = components["API"]
    incident = services.declare_incident(
        name="Trouble", body="…", component_statuses={api: "major_outage"}
    )
    services.post_update(
        incident=incident,
        status="monitoring",
        body="Recovering.",
        component_statuses={api: "degraded_performance"},
    )
    incident.refresh_from_db()
    assert incident.impact == "major"


@pytest.mark.parametrize("override", ["none", "minor", "major", "critical"])
def test_impact_override_wins(components, override):
    incident = services.declare_incident(
        name="Trouble",
        body="…",
        component_statuses={components["API"]: "major_outage"},
        impact_override=override,
    )
    assert incident.impact == override


@pytest.mark.django_db
def test_page_status_reads_components_incidents_and_maintenance(
    components, django_assert_num_queries
):
    api, web = components["API"], components["Web"]
    with django_assert_num_queries(3):
        assert selectors.page_status().indicator == "none"

    incident = services.declare_incident(
        name="Errors", body="…", component_statuses={api: "partial_outage"}
    )
    assert selectors.page_status().indicator == "minor"
    services.edit_incident(incident=incident, impact_override="critical")
    assert selectors.page_status().indicator == "critical"
    services.resolve_incident(incident=incident, body="Fixed.")
    assert selectors.page_status().indicator == "none"

    services.edit_component(component=web, status="under_maintenance")
    assert selectors.page_status() == selectors.PageStatus(
        "maintenance", DESCRIPTIONS["maintenance"]
    )


def test_a_resolved_incidents_impact_no_longer_counts(components):
    api = components["API"]
    incident = services.declare_incident(
        name="Errors",
        body="…",
        component_statuses={api: "major_outage"},
        impact_override="critical",
    )
    services.resolve_incident(incident=incident, body="Fixed.", restore_components=False)
    # The component was left in major outage: that alone is "major", not the incident's "critical".
    assert selectors.page_status().indicator == "major"


def test_components_in_order_nests_groups_and_takes_worst_status(db):
    from tests.factories import ComponentFactory, ComponentGroupFactory

    platform = ComponentGroupFactory(name="Platform", position=2)
    data = ComponentGroupFactory(name="Data", position=0)
    api = ComponentFactory(name="API", group=platform, position=1)
    web = ComponentFactory(name="Web", group=platform, position=0)
    email = ComponentFactory(name="Email", position=1)
    db_component = ComponentFactory(name="DB", group=data, position=0)
    services.edit_component(component=api, status="partial_outage")

    entries = selectors.components_in_order()

    assert [
        (e.group.name if e.group else None, [c.name for c in e.components]) for e in entries
    ] == [
        ("Data", ["DB"]),
        (None, ["Email"]),
        ("Platform", ["Web", "API"]),
    ]
    assert [e.status for e in entries] == ["operational", "operational", "partial_outage"]
    assert {email.pk, db_component.pk, web.pk} <= {c.pk for e in entries for c in e.components}
