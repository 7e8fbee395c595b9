"""What customers heard, in exact numbers: each incident's time to its first public word (from
its start, or its first alert's) and its longest silence (between public words, and to the
resolution), in its post-mortem's key durations, the console and the reliability report with
the month's mean and worst."""

from datetime import datetime, timedelta

import pytest
import time_machine

from incidents import services
from incidents.models import Incident
from incidents.reliability import incident_figures, reliability_report
from tests.alert_data import make_integration
from tests.incidents.postmortem_data import AFTER, at, hand_built_incident, make_components

pytestmark = pytest.mark.django_db


@pytest.fixture
def components():
    return make_components()


def minutes(delta: timedelta | None) -> float | None:
    return None if delta is None else delta.total_seconds() / 60


def word(incident: Incident, when: datetime = AFTER) -> tuple:
    with time_machine.travel(when, tick=False):
        durations = incident_figures(incident).durations
    return (
        minutes(durations.time_to_first_public_word),
        minutes(durations.longest_silence),
    )


def post(incident: Incident, hh_mm: str, status: str = "identified", **fields) -> None:
    with time_machine.travel(at(hh_mm), tick=False):
        services.post_update(incident=incident, status=status, body="News.", **fields)


def declare(hh_mm: str, **fields) -> Incident:
    with time_machine.travel(at(hh_mm), tick=False):
        return services.declare_incident(name="Down", body="Down.", **fields)


def alert_born(components, *, alert_start: str, arrives: str, published: str) -> Incident:
    """An alert's draft: its alert began at `alert_start`, reached Noroshi at `arrives` (the
    draft and its first update), and the draft was published at `published`."""
    integration, _ = make_integration(rules={("service", "api"): components["API"]})
    with time_machine.travel(at(arrives), tick=False):
        incoming = services.IncomingAlert(
            fingerprint="api-latency",
            status="firing",
            name="HighLatency",
            labels={"alertname": "HighLatency", "service": "api"},
            starts_at=at(alert_start),
        )
        delivery = services.AlertDelivery(group_key="api", alerts=[incoming])
        draft = services.receive_alerts(integration=integration, delivery=delivery).incident
    post(draft, "10:15")  # a note on the draft: public only once it is published
    with time_machine.travel(at(published), tick=False):
        services.publish_draft(incident=draft)
    draft.refresh_from_db()
    return draft


def test_a_declared_incident_spoke_at_once_and_was_silent_30_minutes_at_most(components):
    # Updates at 10:12 (declared), 10:30, 10:50 and 11:20 (resolved): the gaps are 18, 20, 30.
    incident = hand_built_incident(components)

    assert word(incident) == (0, 30)


def test_an_incident_declared_late_counts_from_its_start_not_the_time_it_shows(components):
    incident = declare("10:20", started_at=at("10:00"))
    post(incident, "10:45")
    post(incident, "11:05", status="resolved")

    # Its first update shows 10:00 but reached the public at 10:20.
    assert incident.updates.order_by("id")[0].display_at == at("10:00")
    assert word(incident) == (20, 25)


def test_an_open_incident_is_silent_until_now(components):
    incident = declare("10:00")
    post(incident, "10:10")

    assert word(incident, at("11:00")) == (0, 50)


def test_the_silence_before_the_resolution_counts(components):
    incident = declare("10:00")
    post(incident, "10:05")
    with time_machine.travel(at("11:00"), tick=False):
        services.post_update(
            incident=incident, status="resolved", body="Fixed.", display_at=at("10:55")
        )
    incident.refresh_from_db()

    # Resolved at 10:55 as shown, posted at 11:00: the silence ran from 10:05 to 11:00.
    assert incident.resolved_at == at("10:55")
    assert word(incident) == (0, 55)


def test_an_alert_s_incident_counts_from_its_first_alert_to_its_publication(components):
    incident = alert_born(components, alert_start="09:50", arrives="10:00", published="10:25")
    post(incident, "10:40")
    post(incident, "11:40", status="resolved")

    with time_machine.travel(AFTER, tick=False):
        durations = incident_figures(incident).durations
    assert durations.public_word is not None
    assert durations.public_word.clock_started_at == at("09:50")
    assert durations.public_word.first_word_at == at("10:25")
    # The draft's updates (10:00, 10:15) became public at 10:25; then 10:40 and 11:40.
    assert word(incident) == (35, 60)


def test_a_backfilled_incident_counts_the_times_written_on_its_updates(components):
    with time_machine.travel(AFTER, tick=False):
        incident = services.declare_incident(
            name="Last week", body="Down.", started_at=at("08:00"), backfilled=True
        )
        services.post_update(
            incident=incident, status="resolved", body="Up.", display_at=at("09:30")
        )
    incident.refresh_from_db()

    assert word(incident) == (0, 90)


def test_an_incident_without_updates_has_no_word_yet():
    incident = Incident.objects.create(name="Bare", status="investigating", started_at=at("10:00"))

    assert word(incident) == (None, None)


def test_the_report_gives_each_incident_and_the_month_s_mean_and_worst(components):
    services.edit_page_settings(time_zone="Etc/UTC")
    declared = hand_built_incident(components)  # 0 and 30 minutes
    alerted = alert_born(components, alert_start="09:50", arrives="10:00", published="10:25")
    post(alerted, "10:40")
    post(alerted, "11:40", status="resolved")  # 35 and 60 minutes

    with time_machine.travel(AFTER + timedelta(days=5), tick=False):
        march, february = reliability_report(months=2)

    assert [(w.incident, minutes(w.word.time_to_first_word)) for w in march.words] == [
        (alerted, 35),
        (declared, 0),
    ]
    assert [
        minutes(march.mean_time_to_first_word),
        minutes(march.worst_time_to_first_word),
        minutes(march.mean_longest_silence),
        minutes(march.worst_longest_silence),
    ] == [17.5, 35, 45, 60]
    assert february.words == []
    assert (february.mean_time_to_first_word, february.worst_longest_silence) == (None, None)


def test_the_report_page_shows_what_customers_heard(admin_client, components):
    services.edit_page_settings(time_zone="Etc/UTC")
    hand_built_incident(components)

    with time_machine.travel(AFTER, tick=False):
        html = admin_client.get("/admin/incidents/postmortem/reliability/?months=1").content

    text = html.decode()
    assert (
        "Time to first public word: mean 0 min, worst 0 min · "
        "Longest silence: mean 30 min, worst 30 min"
    ) in text
    assert "<td>0 min</td>\n          <td>30 min</td>" in text


def test_the_console_s_post_mortem_shows_both_figures(admin_client, components):
    incident = hand_built_incident(components)
    with time_machine.travel(AFTER, tick=False):
        postmortem = services.start_postmortem(incident=incident)
        html = admin_client.get(f"/admin/incidents/postmortem/{postmortem.pk}/change/")

    text = html.content.decode()
    assert '<tr><th scope="row">Time to first public word</th><td>0 min</td></tr>' in text
    assert '<tr><th scope="row">Longest silence</th><td>30 min</td></tr>' in text


def test_the_export_carries_both_figures(components):
    from incidents.export import figures_document

    incident = hand_built_incident(components)
    with time_machine.travel(AFTER, tick=False):
        document = figures_document(incident_figures(incident))

    assert (
        document["time_to_first_public_word_minutes"],
        document["longest_silence_minutes"],
    ) == (0.0, 30.0)


def test_times_are_exact_to_the_second(components):
    # Declared a minute after its start, a word 30 s later, then 20 min 30 s of silence.
    incident = declare("10:01", started_at=at("10:00"))
    with time_machine.travel(at("10:01") + timedelta(seconds=30), tick=False):
        services.post_update(incident=incident, status="identified", body="Found it.")
    with time_machine.travel(at("10:22"), tick=False):
        services.resolve_incident(incident=incident, body="Fixed.")
    incident.refresh_from_db()

    assert word(incident) == (1, 20.5)
