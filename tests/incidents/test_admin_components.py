"""Components and groups in the console: every write goes through the services."""

import pytest

from incidents import services
from incidents.models import AuditEntry, Component, ComponentGroup, ComponentStatusChange
from tests.incidents.test_admin import form_data

pytestmark = pytest.mark.django_db

COMPONENTS_URL = "/admin/incidents/component/"
GROUPS_URL = "/admin/incidents/componentgroup/"


@pytest.fixture
def oncall_client(client, oncall):
    client.force_login(oncall)
    return client


def changelist_row(data: dict, component: Component) -> str:
    """The form prefix of the changelist row that edits `component`."""
    for name, value in data.items():
        if name.endswith("-id") and value == str(component.pk):
            return name.removesuffix("-id")
    raise AssertionError(f"no row for {component}")


def test_a_status_edited_in_the_list_writes_one_admin_history_row(
    oncall_client, oncall, components
):
    data = form_data(oncall_client.get(COMPONENTS_URL), "changelist-form")
    row = changelist_row(data, components["API"])
    data |= {f"{row}-status": "major_outage", "_save": "Save"}
    before = ComponentStatusChange.objects.count()

    response = oncall_client.post(COMPONENTS_URL, data)

    assert response.status_code == 302
    assert ComponentStatusChange.objects.count() == before + 1
    change = ComponentStatusChange.objects.latest("id")
    assert (change.component, change.old_status, change.new_status, change.source) == (
        components["API"],
        "operational",
        "major_outage",
        "admin",
    )
    assert change.actor == oncall
    components["API"].refresh_from_db()
    assert components["API"].status == "major_outage"
    audit = AuditEntry.objects.latest("id")
    assert (audit.action, audit.summary, audit.actor) == ("set_status", "major_outage", oncall)


def test_a_rejected_row_in_the_list_leaves_every_row_unwritten(oncall_client, components):
    core = services.create_component_group(name="Core")
    services.create_component(name="API", group=core)
    data = form_data(oncall_client.get(COMPONENTS_URL), "changelist-form")
    data |= {
        f"{changelist_row(data, components['Web'])}-status": "partial_outage",
        f"{changelist_row(data, components['API'])}-group": str(core.pk),  # a second Core/API
        "_save": "Save",
    }
    history, audit = ComponentStatusChange.objects.count(), AuditEntry.objects.count()

    response = oncall_client.post(COMPONENTS_URL, data)

    assert response.status_code == 200
    formset = response.context["cl"].formset
    assert [errors for errors in formset.errors if errors] == [
        {"__all__": ["Component with this Group and Name already exists."]}
    ]
    assert (ComponentStatusChange.objects.count(), AuditEntry.objects.count()) == (history, audit)
    assert set(Component.objects.values_list("name", "status", "group__name")) == {
        ("API", "operational", None),
        ("API", "operational", "Core"),
        ("Web", "operational", None),
        ("Database", "operational", None),
    }


def test_adding_a_component_writes_its_first_history_row(oncall_client, oncall):
    group = services.create_component_group(name="Core")
    data = form_data(oncall_client.get(f"{COMPONENTS_URL}add/"), "component_form")
    data |= {"name": "Search", "group": str(group.pk), "status": "degraded_performance"}

    response = oncall_client.post(f"{COMPONENTS_URL}add/", data)

    assert response.status_code == 302
    component = Component.objects.get(name="Search")
    assert (component.group, component.status, component.showcase) == (
        group,
        "degraded_performance",
        True,
    )
    assert list(component.status_changes.values_list("old_status", "new_status", "source")) == [
        ("", "degraded_performance", "created")
    ]
    audit = AuditEntry.objects.get(action="create", object_id=component.public_id)
    assert (audit.actor, audit.summary) == (oncall, "status degraded_performance")


def test_changing_a_component_status_on_its_page_goes_through_the_history(
    oncall_client, components
):
    url = f"{COMPONENTS_URL}{components['Web'].pk}/change/"
    data = form_data(oncall_client.get(url), "component_form")
    data |= {"status": "partial_outage", "description": "The web app."}

    response = oncall_client.post(url, data)

    assert response.status_code == 302
    change = components["Web"].status_changes.latest("id")
    assert (change.old_status, change.new_status, change.source) == (
        "operational",
        "partial_outage",
        "admin",
    )
    assert list(AuditEntry.objects.order_by("id").values_list("action", "summary"))[-2:] == [
        ("edit", "description"),
        ("set_status", "partial_outage"),
    ]


def test_a_duplicate_component_is_rejected_and_nothing_is_written(oncall_client):
    core = services.create_component_group(name="Core")
    services.create_component(name="API", group=core)
    data = form_data(oncall_client.get(f"{COMPONENTS_URL}add/"), "component_form")
    data |= {"name": "API", "group": str(core.pk)}
    counts = Component.objects.count(), AuditEntry.objects.count()

    response = oncall_client.post(f"{COMPONENTS_URL}add/", data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "__all__": ["Component with this Group and Name already exists."]
    }
    assert (Component.objects.count(), AuditEntry.objects.count()) == counts


def test_groups_are_created_edited_and_deleted_through_the_services(admin_client, components):
    data = form_data(admin_client.get(f"{GROUPS_URL}add/"), "componentgroup_form")
    response = admin_client.post(f"{GROUPS_URL}add/", data | {"name": "Core", "position": "2"})
    assert response.status_code == 302
    group = ComponentGroup.objects.get()
    services.edit_component(component=components["API"], group=group)

    url = f"{GROUPS_URL}{group.pk}/change/"
    response = admin_client.post(
        url, form_data(admin_client.get(url), "componentgroup_form") | {"name_ja": "コア"}
    )
    assert response.status_code == 302
    group.refresh_from_db()
    assert (group.name, group.name_ja, group.position) == ("Core", "コア", 2)

    response = admin_client.post(f"{GROUPS_URL}{group.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert ComponentGroup.objects.count() == 0
    components["API"].refresh_from_db()
    assert components["API"].group is None
    assert list(
        AuditEntry.objects.filter(object_type="componentgroup")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["create", "edit", "delete"]


def test_the_history_is_read_only(admin_client, components):
    change = ComponentStatusChange.objects.first()
    assert admin_client.get("/admin/incidents/componentstatuschange/add/").status_code == 403
    page = admin_client.get(f"/admin/incidents/componentstatuschange/{change.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    response = admin_client.post(
        f"/admin/incidents/componentstatuschange/{change.pk}/change/", {"new_status": "x"}
    )
    assert response.status_code == 403
    filtered = admin_client.get(
        f"/admin/incidents/componentstatuschange/?source=created&component__id__exact={change.component_id}"
    )
    assert list(filtered.context["cl"].result_list) == [change]
