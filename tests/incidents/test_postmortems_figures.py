"""What a post-mortem computes rather than asks for: the key durations and the customer impact
of a hand-built incident, and the timeline prefilled from its updates and status history."""

from datetime import timedelta

import pytest
import time_machine

from incidents import services
from incidents.reliability import incident_figures, reliability_report
from tests.incidents.postmortem_data import AFTER, at, hand_built_incident, make_components

pytestmark = pytest.mark.django_db


@pytest.fixture
def components():
    return make_components()


@pytest.fixture
def incident(components):
    return hand_built_incident(components)


def minutes(delta: timedelta | None) -> float | None:
    return None if delta is None else delta.total_seconds() / 60


def test_key_durations_come_from_the_recorded_times_and_history(incident):
    durations = incident_figures(incident).durations

    # The monitor's partial outage at 10:00 began the impact; declaring at 10:12 was both the
    # detection (none recorded) and the acknowledgement; API recovered at 10:50 (monitoring).
    assert (
        durations.impact_started_at,
        durations.detected_at,
        durations.acknowledged_at,
        durations.mitigated_at,
        durations.resolved_at,
    ) == (at("10:00"), at("10:12"), at("10:12"), at("10:50"), at("11:20"))
    assert [
        minutes(durations.time_to_detect),
        minutes(durations.time_to_acknowledge),
        minutes(durations.time_to_mitigate),
        minutes(durations.time_to_resolve),
    ] == [12, 0, 50, 80]


def test_a_recorded_detection_time_splits_detect_from_acknowledge(incident):
    postmortem = services.start_postmortem(incident=incident)
    services.edit_postmortem(postmortem=postmortem, detected_at=at("10:05"))

    durations = incident_figures(incident, postmortem).durations

    assert [minutes(durations.time_to_detect), minutes(durations.time_to_acknowledge)] == [5, 7]


def test_a_recorded_impact_start_before_the_history_moves_the_start_back(incident):
    postmortem = services.start_postmortem(incident=incident)
    services.edit_postmortem(
        postmortem=postmortem, impact_started_at=at("09:40"), detected_at=at("10:05")
    )

    durations = incident_figures(incident, postmortem).durations

    assert durations.impact_started_at == at("09:40")
    assert [
        minutes(durations.time_to_detect),
        minutes(durations.time_to_acknowledge),
        minutes(durations.time_to_mitigate),
        minutes(durations.time_to_resolve),
    ] == [25, 7, 70, 100]


def test_an_incident_without_monitoring_is_mitigated_when_a_component_recovers(components):
    api = components["API"]
    with time_machine.travel(at("10:00"), tick=False):
        incident = services.declare_incident(
            name="Down", body="Down.", component_statuses={api: "major_outage"}
        )
    with time_machine.travel(at("10:20"), tick=False):
        services.post_update(
            incident=incident,
            status="identified",
            body="Found it.",
            component_statuses={api: "operational"},
        )
    with time_machine.travel(at("10:45"), tick=False):
        services.resolve_incident(incident=incident, body="Done.")
    incident.refresh_from_db()

    durations = incident_figures(incident).durations

    assert incident.monitoring_at is None
    assert [minutes(durations.time_to_mitigate), minutes(durations.time_to_resolve)] == [20, 45]


def test_an_open_incident_is_not_mitigated_or_resolved_yet(components):
    with time_machine.travel(at("10:00"), tick=False):
        incident = services.declare_incident(
            name="Down", body="Down.", component_statuses={components["API"]: "major_outage"}
        )
    with time_machine.travel(at("10:30"), tick=False):
        figures = incident_figures(incident)

    assert (figures.durations.time_to_mitigate, figures.durations.time_to_resolve) == (None, None)
    assert [(i.component.name, i.figures.major_outage_minutes) for i in figures.impact] == [
        ("API", 30)
    ]


def test_customer_impact_is_counted_per_component_from_the_start_of_the_impact(incident):
    figures = incident_figures(incident)

    assert [
        (
            impact.component.name,
            impact.figures.major_outage_minutes,
            impact.figures.partial_outage_minutes,
            impact.figures.degraded_minutes,
        )
        for impact in figures.impact
    ] == [("API", 38, 12, 0), ("Web", 0, 0, 68)]


def test_the_timeline_is_prefilled_from_updates_and_other_status_changes(incident):
    # The updates have no Japanese bodies: their Japanese entries keep the Japanese labels and
    # component statuses around the English body (each part falls back on its own).
    postmortem = services.start_postmortem(incident=incident)

    entries = [
        (entry.occurred_at, entry.text, entry.text_ja, entry.incident_update_id is not None)
        for entry in postmortem.timeline_entries.order_by("occurred_at", "id")
    ]
    assert entries == [
        (
            at("10:00"),
            "API: Operational → Partial outage (API)",
            "API: 正常 → 部分的な障害 (API)",
            False,
        ),
        (
            at("10:12"),
            "**Investigating** — API errors.\n\n"
            "- API: Partial outage → Major outage\n"
            "- Web: Operational → Degraded performance",
            "**調査中** — API errors.\n\n"
            "- API: 部分的な障害 → 重大な障害\n"
            "- Web: 正常 → パフォーマンス低下",
            True,
        ),
        (at("10:30"), "**Identified** — A bad deploy.", "**原因特定** — A bad deploy.", True),
        (
            at("10:50"),
            "**Monitoring** — Rolled back.\n\n- API: Major outage → Operational",
            "**経過観察中** — Rolled back.\n\n- API: 重大な障害 → 正常",
            True,
        ),
        (
            at("11:20"),
            "**Resolved** — All good.\n\n- Web: Degraded performance → Operational",
            "**解決済み** — All good.\n\n- Web: パフォーマンス低下 → 正常",
            True,
        ),
    ]
    monitor_change = postmortem.timeline_entries.get(occurred_at=at("10:00")).status_change
    assert (monitor_change.source, monitor_change.new_status) == ("api", "partial_outage")


def test_japanese_update_bodies_give_japanese_entries(components):
    with time_machine.travel(at("10:00"), tick=False):
        incident = services.declare_incident(
            name="Down",
            body="Down.",
            body_ja="停止しています。",
            component_statuses={components["Web"]: "major_outage"},
        )
    with time_machine.travel(at("10:10"), tick=False):
        services.resolve_incident(incident=incident, body="Up.", body_ja="復旧しました。")

    postmortem = services.start_postmortem(incident=incident)

    assert list(postmortem.timeline_entries.values_list("text_ja", flat=True)) == [
        "**調査中** — 停止しています。\n\n- Web: 正常 → 重大な障害",
        "**解決済み** — 復旧しました。\n\n- Web: 重大な障害 → 正常",
    ]


def test_reliability_report_per_component_and_month(incident, components):
    services.edit_page_settings(time_zone="Etc/UTC")
    with time_machine.travel(AFTER + timedelta(days=5), tick=False):
        report = reliability_report(months=2)

    march, february = report
    assert (march.first_day.isoformat(), march.incidents) == ("2026-03-01", 1)
    assert (minutes(march.mean_time_to_detect), minutes(march.mean_time_to_resolve)) == (12, 80)
    rows = {
        row.component.name: (
            row.incidents,
            row.major_outage_minutes,
            row.partial_outage_minutes,
            row.uptime_percentage,
            minutes(row.mean_time_to_resolve),
        )
        for row in march.components
    }
    # March 1st to the 15th at 15:00: 14 days 15 hours = 21,060 minutes observed; API was down
    # 38 minutes and partly down 12 (weighted 0.3).
    assert rows == {
        "API": (1, 38, 12, pytest.approx(100 * (21060 - 38 - 0.3 * 12) / 21060), 80),
        "Web": (1, 0, 0, 100.0, 80),
        "Database": (0, 0, 0, 100.0, None),
    }
    assert (february.first_day.isoformat(), february.incidents) == ("2026-02-01", 0)
    assert [row.uptime_percentage for row in february.components] == [100.0, 100.0, 100.0]


def test_the_report_costs_eight_queries_whatever_its_length(
    incident, components, django_assert_num_queries
):
    with time_machine.travel(AFTER, tick=False):
        for months in (1, 12):
            with django_assert_num_queries(8):
                reports = reliability_report(months=months)
            assert len(reports) == months
