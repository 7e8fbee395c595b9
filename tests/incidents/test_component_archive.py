"""History cannot be erased (issue 11, item 5): a component is archived, never deleted — gone
from the page, its status and its forms, kept wherever the past is told."""

import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError

from incidents import selectors, services
from incidents.export import incident_document
from incidents.models import AuditEntry, Component, ComponentStatusChange

pytestmark = pytest.mark.django_db


def page_components() -> list[str]:
    return [c.name for entry in selectors.components_in_order() for c in entry.components]


@pytest.fixture
def past_outage(components):
    incident = services.declare_incident(
        name="Search down", body="Down.", component_statuses={components["Web"]: "major_outage"}
    )
    services.post_update(incident=incident, status="resolved", body="Back.")
    return incident


def test_an_archived_component_leaves_the_page_and_its_status(components, past_outage):
    services.set_component_status(
        component=components["Web"], status="major_outage", source="admin"
    )

    services.archive_component(component=components["Web"])

    assert page_components() == ["API", "Database"]
    assert selectors.page_status().indicator == "none"
    assert selectors.component_or_group(components["Web"].public_id) is None
    assert AuditEntry.objects.filter(action="archive", object_id=components["Web"].public_id)


def test_its_past_is_kept_everywhere_the_past_is_told(components, past_outage):
    history = ComponentStatusChange.objects.filter(component=components["Web"]).count()

    services.archive_component(component=components["Web"])

    assert ComponentStatusChange.objects.filter(component=components["Web"]).count() == history
    assert [c.name for c in past_outage.components.all()] == ["Web"]
    exported = incident_document(selectors.incident_for_export(past_outage.public_id))
    assert "Web" in exported["components"]
    reported = [c.name for e in selectors.components_in_order(include_archived=True)
                for c in e.components]  # fmt: skip
    assert "Web" in reported


def test_a_component_with_history_cannot_be_deleted(components, past_outage):
    with pytest.raises(ProtectedError):
        Component.objects.get(pk=components["Web"].pk).delete()


def test_archiving_is_refused_while_an_open_incident_uses_it(components):
    incident = services.declare_incident(
        name="Slow", body="Slow.", component_statuses={components["API"]: "degraded_performance"}
    )

    with pytest.raises(ValidationError) as error:
        services.archive_component(component=components["API"])

    assert error.value.messages == [
        f"“API” is part of “{incident.name}”, which is not resolved: resolve it first."
    ]
    assert Component.objects.get(pk=components["API"].pk).archived_at is None


def test_an_archived_component_takes_no_new_status_and_can_come_back(components):
    services.archive_component(component=components["Database"])
    database = Component.objects.get(name="Database")

    with pytest.raises(ValidationError):
        services.set_component_status(component=database, status="major_outage", source="admin")
    services.restore_component(component=database)

    assert "Database" in page_components()
    assert AuditEntry.objects.filter(action="restore").count() == 1


def test_the_console_archives_and_restores_but_never_deletes(admin_client, components):
    api = components["API"]

    assert admin_client.get(f"/admin/incidents/component/{api.pk}/delete/").status_code == 403
    admin_client.post(
        "/admin/incidents/component/", {"action": "archive_selected", "_selected_action": [api.pk]}
    )
    assert Component.objects.get(pk=api.pk).archived_at is not None
    admin_client.post(
        "/admin/incidents/component/", {"action": "restore_selected", "_selected_action": [api.pk]}
    )
    assert Component.objects.get(pk=api.pk).archived_at is None
