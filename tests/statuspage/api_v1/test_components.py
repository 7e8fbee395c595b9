"""Components and groups through the management API: Statuspage's paths, envelopes and
objects; a status change goes through the history and is announced; delete archives."""

import pytest
from django.utils import timezone

from incidents.models import Component, ComponentGroup, ComponentStatusChange
from notify.models import Notification, Subscriber
from tests.statuspage.api_v1.conftest import audited_writes

pytestmark = pytest.mark.django_db


def test_lists_the_components_in_page_order_as_statuspage_writes_them(api, base, components):
    response = api.get(f"{base}/components")

    assert response.status_code == 200
    body = response.json()
    assert [c["name"] for c in body] == ["API", "Web", "Database"]
    assert set(body[0]) >= {
        "id",
        "page_id",
        "group_id",
        "created_at",
        "updated_at",
        "group",
        "name",
        "description",
        "position",
        "status",
        "showcase",
        "only_show_if_degraded",
        "automation_email",
        "start_date",
    }
    assert 'rel="first"' in response["Link"]


def test_the_json_suffix_of_statuspage_s_documentation_works_too(api, base, components):
    assert api.get(f"{base}/components.json").json() == api.get(f"{base}/components").json()


def test_another_page_id_is_404_in_statuspage_s_error_shape(api, components):
    response = api.get("/api/v1/pages/nosuchpage1/components")

    assert response.status_code == 404
    assert response.json() == {"error": "There is no page “nosuchpage1” here."}


def test_create_a_component_from_a_json_envelope(api, base):
    response = api.post(
        f"{base}/components",
        {"component": {"name": "Search", "status": "degraded_performance", "showcase": False}},
        format="json",
    )

    assert response.status_code == 201, response.json()
    created = Component.objects.get(public_id=response.json()["id"])
    assert (created.name, created.status, created.showcase) == (
        "Search",
        "degraded_performance",
        False,
    )
    assert response.json()["status"] == "degraded_performance"


def test_create_a_component_from_a_form_encoded_body(api, base):
    response = api.post(
        f"{base}/components",
        "component[name]=Billing&component[status]=operational&component[description]=Invoices",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 201, response.json()
    assert Component.objects.get(name="Billing").description == "Invoices"


def test_a_bad_component_names_each_field_and_writes_nothing(api, base):
    audited = audited_writes()
    response = api.post(f"{base}/components", {"component": {"status": "on_fire"}}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["fields"]["component.name"] == "This field is required."
    assert "“on_fire” is not one of operational" in body["fields"]["component.status"]
    assert body["error"].startswith("component.")
    assert not Component.objects.exists()
    assert audited_writes() == audited


def test_a_body_without_its_envelope_is_told_how_to_send_it(api, base):
    response = api.post(f"{base}/components", {"name": "Search"}, format="json")

    assert response.status_code == 400
    assert "component" in response.json()["fields"]


def test_setting_a_status_writes_history_and_announces_it(api, base, components):
    api_component = components["API"]
    Subscriber.objects.create(
        channel="webhook", address="https://hooks.example.com/a", confirmed_at=timezone.now()
    )

    response = api.patch(
        f"{base}/components/{api_component.public_id}",
        {"component": {"status": "major_outage"}},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "major_outage"
    change = ComponentStatusChange.objects.filter(component=api_component).latest("id")
    assert (change.old_status, change.new_status, change.source) == (
        "operational",
        "major_outage",
        "api",
    )
    assert Notification.objects.filter(component_change=change).exists()


def test_a_viewer_reads_but_every_write_is_403_and_changes_nothing(viewer_api, base, components):
    target = components["API"].public_id

    assert viewer_api.get(f"{base}/components").status_code == 200
    writes = [
        viewer_api.post(f"{base}/components", {"component": {"name": "X"}}, format="json"),
        viewer_api.patch(
            f"{base}/components/{target}", {"component": {"status": "major_outage"}}, format="json"
        ),
        viewer_api.delete(f"{base}/components/{target}"),
    ]

    assert [w.status_code for w in writes] == [403, 403, 403]
    assert "error" in writes[0].json()
    assert Component.objects.get(public_id=target).status == "operational"
    assert Component.objects.count() == 3


def test_delete_archives_and_keeps_the_history(api, base, components):
    target = components["Web"]

    response = api.delete(f"{base}/components/{target.public_id}")

    assert response.status_code == 204
    target.refresh_from_db()
    assert target.archived_at is not None
    assert api.get(f"{base}/components/{target.public_id}").status_code == 404
    assert ComponentStatusChange.objects.filter(component=target).exists()


def test_delete_is_refused_while_an_open_incident_uses_the_component(api, base, outage):
    target = outage.components.get()

    response = api.delete(f"{base}/components/{target.public_id}")

    assert response.status_code == 409
    assert "is not resolved" in response.json()["error"]
    target.refresh_from_db()
    assert target.archived_at is None


def test_uptime_over_a_window(api, base, components):
    target = components["API"]

    response = api.get(f"{base}/components/{target.public_id}/uptime")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == target.public_id
    assert body["uptime_percentage"] == 100.0
    assert body["major_outage"] == 0
    assert body["related_events"] == {"count": 0, "incidents": []}


def test_uptime_refuses_a_bad_date(api, base, components):
    response = api.get(f"{base}/components/{components['API'].public_id}/uptime?start=yesterday")

    assert response.status_code == 400
    assert response.json()["fields"] == {"start": "Give a date as YYYY-MM-DD, not “yesterday”."}


def test_component_groups_are_created_with_their_members(api, base, components):
    members = [components["API"].public_id, components["Web"].public_id]

    response = api.post(
        f"{base}/component-groups",
        {
            "description": "Customer facing",
            "component_group": {"name": "Edge", "components": members},
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["name"] == "Edge"
    assert body["description"] == "Customer facing"
    assert body["components"] == members
    group = ComponentGroup.objects.get(public_id=body["id"])
    assert set(group.components.values_list("name", flat=True)) == {"API", "Web"}
    listed = api.get(f"{base}/components").json()
    assert {c["group_id"] for c in listed if c["name"] in ("API", "Web")} == {body["id"]}


def test_a_group_naming_an_unknown_component_writes_nothing(api, base, components):
    response = api.post(
        f"{base}/component-groups",
        {"component_group": {"name": "Edge", "components": ["nosuchthing1"]}},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {"components": "There is no component “nosuchthing1”."}
    assert not ComponentGroup.objects.exists()


def test_a_group_is_renamed_and_its_members_replaced(api, base, components):
    created = api.post(
        f"{base}/component-groups",
        {"component_group": {"name": "Edge", "components": [components["API"].public_id]}},
        format="json",
    ).json()

    response = api.patch(
        f"{base}/component-groups/{created['id']}",
        {"component_group": {"name": "Front", "components": [components["Web"].public_id]}},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["name"] == "Front"
    assert response.json()["components"] == [components["Web"].public_id]
    assert Component.objects.get(name="API").group is None


def test_deleting_a_group_answers_with_it_as_it_was(api, base, components):
    created = api.post(
        f"{base}/component-groups",
        {"component_group": {"name": "Edge", "components": [components["API"].public_id]}},
        format="json",
    ).json()

    response = api.delete(f"{base}/component-groups/{created['id']}")

    assert response.status_code == 200
    assert response.json()["components"] == [components["API"].public_id]
    assert not ComponentGroup.objects.exists()
    assert Component.objects.get(name="API").group is None


def test_a_group_s_uptime_covers_its_components(api, base, components):
    created = api.post(
        f"{base}/component-groups",
        {"component_group": {"name": "Edge", "components": [components["API"].public_id]}},
        format="json",
    ).json()

    response = api.get(f"{base}/component-groups/{created['id']}/uptime")

    assert response.status_code == 200, response.json()
    assert response.json()["uptime_percentage"] == 100.0
    assert response.json()["name"] == "Edge"


@pytest.mark.parametrize("word", ["null", "", "None"])
def test_the_word_null_takes_a_component_out_of_its_group(api, base, components, word):
    target = components["API"].public_id
    api.post(
        f"{base}/component-groups",
        {"component_group": {"name": "Edge", "components": [target]}},
        format="json",
    )

    response = api.patch(
        f"{base}/components/{target}", {"component": {"group_id": word}}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json()["group_id"] is None


def test_an_unknown_address_under_the_api_is_a_json_404(api):
    response = api.get("/api/v1/pages/abc/nothing-here")

    assert response.status_code == 404
    assert response.json() == {
        "error": "There is no endpoint /api/v1/pages/abc/nothing-here (see /api/v1/docs/)."
    }
