"""Components and groups: every status change leaves a history row; edits are audited."""

import pytest
from django.core.exceptions import ValidationError

from incidents import services
from incidents.models import AuditEntry, Component, ComponentStatusChange

pytestmark = pytest.mark.django_db


def test_creating_a_component_opens_its_history(oncall):
    component = services.create_component(name="API", status="degraded_performance", actor=oncall)
    change = ComponentStatusChange.objects.get(component=component)
    assert (change.old_status, change.new_status, change.source, change.actor) == (
        "",
        "degraded_performance",
        "created",
        oncall,
    )


def test_status_edit_appends_one_history_row(components, oncall):
    api = components["API"]
    services.edit_component(component=api, status="partial_outage", actor=oncall)
    services.edit_component(component=api, status="partial_outage", actor=oncall)  # no change
    changes = ComponentStatusChange.objects.filter(component=api).exclude(source="created")
    assert list(changes.values_list("old_status", "new_status", "source")) == [
        ("operational", "partial_outage", "admin")
    ]
    assert AuditEntry.objects.filter(action="set_status", object_id=api.public_id).count() == 1


def test_api_source_is_recorded(components):
    services.edit_component(component=components["Web"], status="major_outage", source="api")
    assert ComponentStatusChange.objects.filter(source="api").count() == 1


def test_field_edits_are_saved_and_audited(components):
    group = services.create_component_group(name="Platform")
    api = components["API"]
    services.edit_component(component=api, group=group, description="Public REST API", position=3)
    api = Component.objects.get(pk=api.pk)
    assert (api.group, api.description, api.position) == (group, "Public REST API", 3)
    assert AuditEntry.objects.get(action="edit", object_id=api.public_id).summary == (
        "group, description, position"
    )


def test_invalid_status_is_rejected(components):
    with pytest.raises(ValidationError):
        services.edit_component(component=components["API"], status="sideways")
    assert Component.objects.get(pk=components["API"].pk).status == "operational"


def test_duplicate_name_in_a_group_is_rejected():
    group = services.create_component_group(name="Platform")
    services.create_component(name="API", group=group)
    with pytest.raises(ValidationError):
        services.create_component(name="API", group=group)
    assert Component.objects.count() == 1


def test_unknown_field_is_a_programming_error(components):
    with pytest.raises(TypeError):
        services.edit_component(component=components["API"], colour="red")


def test_deleting_a_group_keeps_its_components():
    group = services.create_component_group(name="Platform")
    api = services.create_component(name="API", group=group)
    services.delete_component_group(group=group)
    assert Component.objects.get(pk=api.pk).group is None


def test_archiving_a_component_keeps_its_history(components):
    before = ComponentStatusChange.objects.filter(component_id=components["API"].pk).count()
    services.archive_component(component=components["API"])
    assert ComponentStatusChange.objects.filter(component_id=components["API"].pk).count() == before
    assert AuditEntry.objects.filter(action="archive").count() == 1


def test_page_settings_reject_an_unknown_time_zone():
    with pytest.raises(ValidationError) as error:
        services.edit_page_settings(time_zone="Mars/Olympus_Mons")
    assert error.value.message_dict == {
        "time_zone": ["“Mars/Olympus_Mons” is not an IANA time zone."]
    }


def test_localized_text_falls_back_to_the_default():
    from incidents.selectors import localized

    component = services.create_component(name="Search", name_ja="検索")
    plain = services.create_component(name="Billing")
    assert localized(component, "name", "ja") == "検索"
    assert localized(component, "name", "ja-JP") == "検索"
    assert localized(component, "name", "en") == "Search"
    assert localized(plain, "name", "ja") == "Billing"
    assert localized(component, "description", "ja") == ""


def test_duplicate_name_among_ungrouped_components_is_rejected():
    services.create_component(name="Email")
    with pytest.raises(ValidationError) as error:
        services.create_component(name="Email")
    assert error.value.messages == ["An ungrouped component with this name exists."]
    assert Component.objects.count() == 1


def test_template_status_must_match_its_kind():
    with pytest.raises(ValidationError) as error:
        services.save_update_template(
            name="Started", kind="incident", status="in_progress", body="Started."
        )
    assert error.value.message_dict == {"status": ["“in_progress” is not an incident status."]}
