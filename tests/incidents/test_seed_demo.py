"""`manage.py seed_demo`: a full, believable demo page, written once however often it runs."""

from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import Min
from django.utils import timezone

from incidents.choices import (
    ComponentStatus,
    IncidentKind,
    IncidentStatus,
    MaintenanceStatus,
    StatusChangeSource,
)
from incidents.models import (
    Component,
    ComponentGroup,
    ComponentStatusChange,
    Incident,
    PageSettings,
    PostMortem,
    RecoveryAction,
)
from incidents.uptime import uptime_for_components

# Rows of each concrete incidents model after one run. Changing the demo content changes these.
EXPECTED_COUNTS = {
    "AlertGroup": 0,
    "AlertIntegration": 0,
    "AlertRule": 0,
    "ApiKey": 0,
    "AuditEntry": 90,  # with the two people's own (created)
    "Component": 9,
    "ComponentGroup": 2,
    "ComponentStatusChange": 43,
    "IdempotencyKey": 0,
    "Incident": 11,
    "IncidentUpdate": 37,
    "IncidentUpdateComponent": 33,
    "MemberSettings": 0,
    "PageSettings": 1,
    "PostMortem": 2,
    "PostMortemTimelineEntry": 10,
    "ReceivedAlert": 0,
    "RecoveryAction": 11,
    "UpdateTemplate": 6,
}


def row_counts() -> dict[str, int]:
    return {
        model.__name__: model._default_manager.count()
        for model in apps.get_app_config("incidents").get_models()
        if not model._meta.proxy
    }


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(db):
    seed()


def incidents():
    return Incident.objects.filter(kind=IncidentKind.INCIDENT)


def test_seeding_twice_adds_nothing_the_second_time(db, settings):
    first_output = seed()
    first = row_counts()
    second_output = seed()

    assert first == EXPECTED_COUNTS
    assert row_counts() == first
    assert first_output.splitlines()[1] == (
        "  added — page settings: 1, groups: 2, components: 9, past incidents: 8, blips: 5, "
        "open incidents: 1, scheduled maintenances: 1, maintenances in progress: 1, "
        "update templates: 6, people: 2, post-mortems: 2, recovery actions: 11"
    )
    assert second_output == (
        f"Demo page “Hoshizora Cloud” ({settings.SITE_URL})\n"
        "  added — nothing\n"
        "  on the page: 2 groups, 9 components, 9 incidents (1 open), 2 maintenances "
        "(1 in progress, 1 scheduled), 6 update templates\n"
        "  2 post-mortems (2 published), 11 recovery actions (4 open, 2 overdue)\n"
    )


def test_page_settings_are_those_of_the_demo_company(seeded, settings):
    page = PageSettings.objects.get()
    assert (page.name, page.name_ja, page.time_zone) == (
        "Hoshizora Cloud",
        "ホシゾラクラウド",
        "Asia/Tokyo",
    )
    assert page.url == settings.SITE_URL
    assert page.support_email == "support@hoshizora-cloud.example"


def test_page_settings_someone_has_set_up_are_left_alone(db):
    from incidents import services

    services.edit_page_settings(name="Acme", time_zone="Europe/Paris")
    seed()
    page = PageSettings.objects.get()
    assert (page.name, page.name_ja, page.time_zone) == ("Acme", "", "Europe/Paris")


def test_components_are_grouped_and_translated(seeded):
    assert ComponentGroup.objects.count() >= 2
    assert Component.objects.count() >= 8
    assert Component.objects.filter(group=None).count() >= 1
    assert not Component.objects.filter(name_ja="").exists()
    assert not Component.objects.filter(description_ja="").exists()


def test_every_component_has_ninety_days_of_history(seeded):
    now = timezone.now()
    first_rows = Component.objects.annotate(first=Min("status_changes__created_at"))
    assert all(c.first <= now - timedelta(days=90) for c in first_rows)
    uptime = uptime_for_components(Component.objects.all(), days=90, now=now)
    assert {sum(1 for day in u.days if day.worst_status) for u in uptime.values()} == {90}


def test_history_holds_resolved_incidents_over_two_months_and_blips(seeded):
    resolved = incidents().filter(
        status__in=(IncidentStatus.RESOLVED, IncidentStatus.POSTMORTEM), backfilled=True
    )
    assert resolved.count() >= 6
    starts = sorted(resolved.values_list("started_at", flat=True))
    assert starts[-1] - starts[0] >= timedelta(days=60)
    assert {3, 4, 5} >= {incident.updates.count() for incident in resolved}
    assert not resolved.filter(name_ja="").exists()
    impacts = set(resolved.values_list("impact", flat=True))
    assert impacts == {"minor", "major"}
    statuses = set(
        ComponentStatusChange.objects.filter(source=StatusChangeSource.BACKFILL).values_list(
            "new_status", flat=True
        )
    )
    assert statuses >= {
        ComponentStatus.DEGRADED_PERFORMANCE,
        ComponentStatus.PARTIAL_OUTAGE,
        ComponentStatus.MAJOR_OUTAGE,
    }
    blips = ComponentStatusChange.objects.filter(
        source=StatusChangeSource.BACKFILL, incident_update=None
    )
    assert blips.count() == 10


def test_one_incident_is_open_now_with_two_updates(seeded):
    (open_incident,) = incidents().exclude(
        status__in=(IncidentStatus.RESOLVED, IncidentStatus.POSTMORTEM)
    )
    assert open_incident.backfilled is False
    assert open_incident.updates.count() >= 2
    assert [(c.name, c.status) for c in open_incident.components.all()] == [
        ("Search", ComponentStatus.DEGRADED_PERFORMANCE)
    ]


def test_one_maintenance_is_upcoming_and_one_in_progress(seeded):
    now = timezone.now()
    maintenances = Incident.objects.filter(kind=IncidentKind.MAINTENANCE)
    upcoming = maintenances.get(status=MaintenanceStatus.SCHEDULED)
    running = maintenances.get(status=MaintenanceStatus.IN_PROGRESS)
    assert maintenances.count() == 2
    assert upcoming.scheduled_for > now + timedelta(days=2)
    assert upcoming.remind_minutes_before == 60
    assert upcoming.components.count() == 2
    assert now - timedelta(hours=1) < running.scheduled_for < now < running.scheduled_until
    assert {c.status for c in running.components.all()} == {ComponentStatus.UNDER_MAINTENANCE}


def test_two_incidents_have_published_post_mortems_with_reviewed_sign_off(seeded):
    postmortems = PostMortem.objects.select_related("incident", "author", "reviewed_by")
    assert sorted(
        (p.incident.name, p.incident.status, p.status, p.author.username, p.reviewed_by.username)
        for p in postmortems
    ) == [
        ("Elevated API error rates", "postmortem", "published", "kenji", "aiko"),
        ("Primary database failover", "postmortem", "published", "aiko", "kenji"),
    ]
    assert not postmortems.filter(summary_ja="").exists()
    for postmortem in postmortems:  # dated as a real one would be, after its incident
        resolved = postmortem.incident.resolved_at
        assert resolved < postmortem.created_at < postmortem.submitted_at
        assert postmortem.submitted_at < postmortem.reviewed_at < postmortem.published_at
        assert postmortem.published_at <= resolved + timedelta(days=2)


def test_recovery_actions_are_a_mix_of_open_overdue_done_and_declined(seeded):
    today = timezone.now().date()
    actions = RecoveryAction.objects.all()
    assert Counter(actions.values_list("state", flat=True)) == {
        "done": 6,
        "open": 3,
        "in_progress": 1,
        "wont_do": 1,
    }
    overdue = actions.filter(state__in=("open", "in_progress"), due_on__lt=today)
    assert sorted(overdue.values_list("title", flat=True)) == [
        "Fail over automatically when writes stop for 60 seconds",
        "Roll out load balancer changes region by region, with automatic rollback",
    ]
    assert {a.owner.email for a in overdue} == {
        "aiko@hoshizora-cloud.example",
        "kenji@hoshizora-cloud.example",
    }
    assert actions.filter(public=True).count() == 8
    assert not actions.filter(state="done", completed_at__gte=timezone.now() - timedelta(days=2))
