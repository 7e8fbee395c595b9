"""`manage.py import_statuspage`: real pages' recorded /api/v2 JSON (tests/incidents/data/
statuspage/README.md says where each file comes from) comes over with its ids, times, updates,
statuses and groups, so that Noroshi's own /api/v2 answers what Statuspage answered; importing
again changes nothing, newer files add what is new, and nothing is ever announced."""

import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from incidents.changes import mark_page_changed
from incidents.models import (
    AuditEntry,
    Component,
    ComponentGroup,
    ComponentStatusChange,
    Incident,
    IncidentUpdate,
    IncidentUpdateComponent,
    PageSettings,
)
from notify.models import Notification
from tests.factories import ComponentFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data" / "statuspage"
GITHUB, HASHICORP = DATA / "github", DATA / "hashicorp"
# The keys of an incident and of an update that Noroshi keeps exactly as Statuspage gave them.
INCIDENT_KEYS = ("id", "name", "status", "impact", "created_at", "updated_at", "monitoring_at",
                 "resolved_at", "started_at", "page_id")  # fmt: skip
UPDATE_KEYS = ("id", "status", "body", "incident_id", "created_at", "updated_at", "display_at",
               "deliver_notifications")  # fmt: skip


def recorded(name: str) -> dict:
    return json.loads((GITHUB / name).read_text(encoding="utf-8"))


def import_files(*paths) -> str:
    out = StringIO()
    call_command("import_statuspage", *map(str, paths), stdout=out)
    return out.getvalue()


def row_counts() -> dict:
    models = (ComponentGroup, Component, ComponentStatusChange, Incident, IncidentUpdate,
              IncidentUpdateComponent, AuditEntry)  # fmt: skip
    return {model.__name__: model.objects.count() for model in models}


def comparable(incident: dict) -> dict:
    """What of an /api/v2 incident the import keeps as it was (affected components by id)."""
    return {
        **{key: incident[key] for key in INCIDENT_KEYS},
        "components": sorted(c["id"] for c in incident["components"]),
        "incident_updates": [
            {
                **{key: update[key] for key in UPDATE_KEYS},
                "affected_components": sorted(
                    (a["code"], a["name"], a["old_status"], a["new_status"])
                    for a in update["affected_components"] or []
                ),
            }
            for update in incident["incident_updates"]
        ],
    }


def test_github_s_incidents_are_served_again_as_statuspage_served_them(client):
    output = import_files(GITHUB)

    assert output == (
        "Imported from GitHub: 1 page settings, 5 components, 1 maintenances, 16 updates, "
        "2 incidents, 13 status changes.\n"
    )
    served = client.get("/api/v2/incidents.json").json()
    assert served["page"]["id"] == "kctbh9vrtdwd"
    assert [comparable(i) for i in served["incidents"]] == [
        comparable(i) for i in recorded("incidents.json")["incidents"]
    ]


def test_the_maintenance_keeps_its_window_updates_and_component(client):
    import_files(GITHUB)

    served = client.get("/api/v2/scheduled-maintenances.json").json()["scheduled_maintenances"]
    original = recorded("scheduled-maintenances.json")["scheduled_maintenances"][0]
    assert len(served) == 1
    for key in ("id", "name", "status", "impact", "resolved_at", "scheduled_for",
                "scheduled_until"):  # fmt: skip
        assert served[0][key] == original[key], key
    assert (
        comparable({**served[0], "started_at": None})["incident_updates"]
        == (comparable({**original, "started_at": None})["incident_updates"])
    )


def test_each_component_s_history_follows_the_updates_that_changed_it():
    import_files(GITHUB)

    history = ComponentStatusChange.objects.filter(component__name="Actions").order_by(
        "created_at", "id"
    )
    assert [
        (c.created_at.isoformat(), c.old_status, c.new_status, c.source, c.incident_update_id and
         c.incident_update.public_id)
        for c in history
    ] == [
        ("2019-11-13T18:02:19.432000+00:00", "", "operational", "created", None),
        ("2024-09-16T21:31:02.798000+00:00", "operational", "partial_outage", "incident_update",
         "9lpqk4965mzb"),
        ("2024-09-16T21:37:26.995000+00:00", "partial_outage", "major_outage", "incident_update",
         "r8yz2fpy4ss8"),
        ("2024-09-16T21:55:28.472000+00:00", "major_outage", "partial_outage", "incident_update",
         "mfrjlr89z2dk"),
        ("2024-09-16T22:08:39.333000+00:00", "partial_outage", "operational", "incident_update",
         "gv96mtfg46fj"),
    ]  # fmt: skip
    maintained = ComponentStatusChange.objects.filter(component__public_id="brv1bkgrwx7q")
    assert sorted((c.old_status, c.new_status, c.source) for c in maintained) == [
        ("", "operational", "created"),
        ("operational", "under_maintenance", "maintenance"),
        ("under_maintenance", "operational", "maintenance"),
    ]


def test_importing_the_same_files_again_changes_nothing():
    import_files(GITHUB)
    import_files(HASHICORP)
    before = row_counts()

    again = import_files(GITHUB, HASHICORP)

    assert again == "Nothing new: the page already holds all of HashiCorp Services's.\n"
    assert row_counts() == before


def test_newer_files_add_the_new_updates_and_incidents_only(tmp_path):
    older = recorded("incidents.json")
    first = older["incidents"][0]
    first["incident_updates"] = first["incident_updates"][1:]  # not resolved yet
    first.update(status="investigating", resolved_at=None, updated_at="2024-09-16T21:55:28.472Z")
    older["incidents"] = [first]
    (tmp_path / "incidents.json").write_text(json.dumps(older), encoding="utf-8")
    shutil.copy(GITHUB / "components.json", tmp_path / "components.json")
    import_files(tmp_path)
    assert Incident.objects.get(public_id="69sb0f8lydp4").status == "investigating"
    assert Component.objects.get(name="Actions").status == "operational"  # as the files say

    newer = import_files(GITHUB / "incidents.json")

    assert newer == "Imported from GitHub: 1 incidents, 7 updates, 1 status changes.\n"
    incident = Incident.objects.get(public_id="69sb0f8lydp4")
    assert (incident.status, incident.resolved_at.isoformat()) == (
        "resolved",
        "2024-09-16T22:08:39.333000+00:00",
    )
    assert incident.updates.count() == 6


def test_groups_keep_their_members_and_positions():
    import_files(HASHICORP)

    groups = {g.public_id: g for g in ComponentGroup.objects.all()}
    assert {(g.name, g.position) for g in groups.values()} == {
        ("HashiCorp Cloud Platform (HCP)", 1),
        ("Waypoint", 6),
    }
    members = Component.objects.filter(group=groups["ym75hzpmfq4q"]).order_by("position")
    assert [(c.public_id, c.name, c.position, c.status) for c in members] == [
        ("mgv1p2j9x444", "HCP Portal", 1, "degraded_performance"),
        ("b4pr9x7288zy", "Consul", 2, "degraded_performance"),
        ("c32yfw32879v", "Vault", 4, "degraded_performance"),
    ]
    portal = members[0]
    assert (portal.showcase, str(portal.start_date), portal.description) == (
        True,
        "2021-01-14",
        "Web portal, enabling creation, deletion and operation of managed clusters in HCP.",
    )
    assert Component.objects.get(public_id="1mdm36t0fkx1").group is None


def test_an_import_announces_nothing_and_is_audited_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        import_files(GITHUB)

    assert callbacks == [mark_page_changed]
    assert Notification.objects.count() == 0
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.object_type, entry.object_id) == (
        "import_statuspage",
        "incident",
        "",
    )
    assert entry.summary.startswith("from Statuspage page kctbh9vrtdwd: 1 page settings, ")


def test_a_page_with_components_keeps_its_own_settings():
    ComponentFactory(name="Our own")
    settings_before = PageSettings.objects.filter(id=1).values_list("public_id", "name").first()

    import_files(GITHUB)

    assert PageSettings.objects.filter(id=1).values_list("public_id", "name").first() == (
        settings_before
    )


def test_a_name_already_on_the_page_is_refused_and_nothing_is_written():
    ComponentFactory(name="Webhooks")
    before = row_counts()

    with pytest.raises(CommandError) as refused:
        import_files(GITHUB)

    assert str(refused.value).startswith(
        "Nothing was imported. A component “Webhooks” is on this page already (id "
    )
    assert row_counts() == before


def test_a_file_with_a_wrong_value_is_refused_saying_where(tmp_path):
    broken = recorded("incidents.json")
    broken["incidents"][1]["incident_updates"][2]["display_at"] = "soon"
    (tmp_path / "incidents.json").write_text(json.dumps(broken), encoding="utf-8")

    with pytest.raises(CommandError) as refused:
        import_files(tmp_path)

    assert str(refused.value) == (
        "Nothing was imported. incidents.json.incidents[1].incident_updates[2].display_at: "
        "“soon” is not an ISO 8601 time."
    )
    assert Incident.objects.count() == 0


def test_a_directory_without_statuspage_files_is_refused(tmp_path):
    with pytest.raises(CommandError) as refused:
        import_files(tmp_path)

    assert str(refused.value) == f"Nothing was imported. No Statuspage JSON file in {tmp_path}."
