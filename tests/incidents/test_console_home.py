"""The console's home (/admin/): the page's status as the public page computes it, open incidents
with the age of their last public update, maintenance now and in the next 7 days, components not
operational, the kill switch, stuck deliveries and overdue recovery actions; each section with
its rows and empty; read-only for a Viewer; a bounded number of queries; in Japanese."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission

from incidents import selectors, services
from notify import services as notify_services
from notify.models import Delivery, Notification, Subscriber
from tests.factories import ComponentFactory, ComponentGroupFactory, UserFactory
from tests.statuspage.page_html import Node, parse

pytestmark = pytest.mark.django_db

HOME = "/admin/"
NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
TODAY = date(2026, 12, 4)
WRITE_LINKS = (
    'href="/admin/incidents/incident/add/"',
    'href="/admin/incidents/scheduledmaintenance/add/"',
)


def minutes_ago(minutes: int):
    return time_machine.travel(NOW - timedelta(minutes=minutes), tick=False)


def declare(name: str, statuses=None, **fields):
    return services.declare_incident(
        name=name,
        body="Investigating.",
        component_statuses=statuses or {},
        deliver_notifications=False,
        **fields,
    )


def schedule(name: str, start: datetime, *, hours: float, components=()):
    return services.schedule_maintenance(
        name=name,
        body="Planned.",
        scheduled_for=start,
        scheduled_until=start + timedelta(hours=hours),
        components=components,
        auto_start=False,
        deliver_notifications=False,
    )


@pytest.fixture
def busy_page(components, oncall):
    """Two open incidents (the older one silent for 42 minutes), a resolved one, maintenance in
    progress, soon and too far ahead, a paused kill switch, deliveries in every state and seven
    overdue recovery actions."""
    api, web, database = components["API"], components["Web"], components["Database"]
    with minutes_ago(42):
        outage = declare("Elevated API errors", {api: "major_outage"}, author=oncall)
    with minutes_ago(5):
        declare("Slow pages", {web: "degraded_performance"}, status="identified")
    with minutes_ago(120):
        gone = declare("Old blip")
        services.resolve_incident(incident=gone, body="Fixed.", deliver_notifications=False)
        running = schedule(
            "Database upgrade", NOW - timedelta(hours=1), hours=2, components=[database]
        )
        schedule("Network work", NOW + timedelta(days=2), hours=2)
        schedule("Far ahead", NOW + timedelta(days=8), hours=2)
    with minutes_ago(60):
        services.start_maintenance(maintenance=running, body="Begun.", deliver_notifications=False)
    with minutes_ago(30):
        notify_services.pause_sending(actor=oncall, reason="Provider sends twice")
        for days_late in range(1, 8):
            services.create_recovery_action(
                incident=outage,
                title=f"Late by {days_late}",
                kind="prevent",
                owner=oncall,
                due_on=TODAY - timedelta(days=days_late),
            )
        services.create_recovery_action(
            incident=outage, title="Due today", kind="repair", due_on=TODAY
        )
        make_deliveries({"pending": 2, "unknown": 1, "failed": 3, "sent": 4})
    return outage


def make_deliveries(counts: dict[str, int]) -> None:
    notification = Notification.objects.create(kind="incident_update", channels=["email"])
    number = 0
    for state, count in counts.items():
        for _ in range(count):
            number += 1
            subscriber = Subscriber.objects.create(channel="email", address=f"s{number}@x.jp")
            Delivery.objects.create(
                notification=notification, subscriber=subscriber, channel="email", state=state
            )


def fetch(client, **headers) -> str:
    with time_machine.travel(NOW, tick=False):
        response = client.get(HOME, **headers)
    assert response.status_code == 200
    return response.content.decode()


def home(client, **headers) -> Node:
    return parse(fetch(client, **headers))


def section(document: Node, name: str) -> Node:
    return document.find("section", cls=f"home-{name}")


def rows(part: Node) -> list[str]:
    return [item.text() for item in part.find("ul", cls="home-rows").find_all("li")]


def links(part: Node) -> list[tuple[str, str]]:
    return [(a.text(), a.attrs["href"]) for a in part.find_all("a")]


def test_the_status_is_the_public_pages(admin_client, busy_page):
    document = home(admin_client)

    status = document.find("h1", cls="home-status")
    assert status.text() == "Public page Partial System Outage"
    assert status.has_class("indicator-major")
    assert selectors.page_status().description == "Partial System Outage"


def degraded_component(components):
    services.set_component_status(
        component=components["Web"], status="degraded_performance", source="admin"
    )


def critical_incident(components):
    declare("Down", impact_override="critical")


def maintenance_in_progress(components):
    maintenance = schedule("Upgrade", NOW, hours=1, components=[components["Database"]])
    services.start_maintenance(maintenance=maintenance, body="Started.")


def maintenance_scheduled(components):
    schedule("Upgrade", NOW + timedelta(hours=1), hours=1)


def archived_component_down(components):
    broken = ComponentFactory(name="Retired")
    services.set_component_status(component=broken, status="major_outage", source="admin")
    services.archive_component(component=broken)


@pytest.mark.parametrize(
    ("arrange", "indicator"),
    [
        (lambda components: None, "none"),
        (degraded_component, "minor"),
        (critical_incident, "critical"),
        (maintenance_in_progress, "maintenance"),
        (maintenance_scheduled, "none"),
        (archived_component_down, "none"),
    ],
)
def test_the_homes_status_is_the_one_page_status_computes(components, arrange, indicator):
    with time_machine.travel(NOW, tick=False):
        arrange(components)
        read = selectors.console_incidents(upcoming_until=NOW + timedelta(days=7))
        status = selectors.console_page_status(read, selectors.components_not_operational())

    assert status == selectors.page_status()
    assert status.indicator == indicator


def test_open_incidents_show_status_impact_components_and_the_age_of_the_last_update(
    admin_client, busy_page
):
    incidents = section(home(admin_client), "incidents")

    assert incidents.find("h2").text() == "2 open incidents"
    assert rows(incidents) == [
        "Slow pages Identified Impact: Minor Web Last update 5 minutes ago",
        "Elevated API errors Investigating Impact: Major API Last update 42 minutes ago "
        "No public update for over 30 min",
    ]
    silent = incidents.find("li", cls="home-silent")
    assert ("Elevated API errors", f"/admin/incidents/incident/{busy_page.pk}/change/") in links(
        silent
    )


def test_maintenance_in_progress_and_in_the_next_seven_days(admin_client, busy_page):
    maintenance = section(home(admin_client), "maintenance")

    assert maintenance.find("h2").text() == "Maintenance now and in the next 7 days"
    assert rows(maintenance) == [
        "Database upgrade In progress Until 2026-12-04 10:00 UTC",
        "Network work Scheduled 2026-12-06 09:00 to 2026-12-06 11:00 UTC · starts in 2 days",
    ]


def test_components_not_operational_in_page_order(admin_client, busy_page, components):
    group = ComponentGroupFactory(name="Edge", position=0)
    with time_machine.travel(NOW, tick=False):
        cdn = ComponentFactory(name="CDN", group=group, position=9)
        services.set_component_status(component=cdn, status="partial_outage", source="admin")

    part = section(home(admin_client), "components")

    assert rows(part) == [
        "Edge - CDN Partial outage",
        "API Major outage",
        "Web Degraded performance",
        "Database Under maintenance",
    ]
    assert links(part)[2] == ("API", f"/admin/incidents/component/{components['API'].pk}/change/")


def test_the_kill_switch_says_who_paused_sending_and_why(admin_client, busy_page):
    switch = section(home(admin_client), "notify").find("div", cls="home-switch")

    assert switch.has_class("home-paused")
    assert switch.text() == (
        "Sending is paused (kill switch). By oncall at 2026-12-04 08:30 UTC. "
        "Why: Provider sends twice Resume sending"
    )
    assert links(switch) == [("Resume sending", "/admin/notify/sendingswitch/")]


def test_deliveries_pending_unknown_and_failed_are_counted_and_linked(admin_client, busy_page):
    counts = section(home(admin_client), "notify").find("ul", cls="home-counts")

    assert links(counts) == [
        ("2 Pending", "/admin/notify/delivery/?state__exact=pending"),
        ("1 Unknown (resolve by hand)", "/admin/notify/delivery/?state__exact=unknown"),
        ("3 Failed", "/admin/notify/delivery/?state__exact=failed"),
    ]
    assert [li.has_class("home-alert") for li in counts.find_all("li")] == [False, True, True]


def test_overdue_actions_are_counted_and_the_oldest_listed(admin_client, busy_page):
    actions = section(home(admin_client), "actions")

    assert links(actions.find("h2")) == [
        ("7 overdue recovery actions", "/admin/incidents/recoveryaction/?due=overdue")
    ]
    assert rows(actions) == [
        f"Late by {n} Due {TODAY - timedelta(days=n):%Y-%m-%d} · oncall · Elevated API errors"
        for n in (7, 6, 5, 4, 3)
    ]
    assert actions.find("p", cls="home-more").text() == "All open and overdue actions"


def test_an_empty_page_says_so_in_every_section(admin_client):
    document = home(admin_client)

    assert document.find("h1", cls="home-status").text() == "Public page All Systems Operational"
    texts = {
        name: section(document, name).find("p", cls="home-empty").text()
        for name in ("incidents", "components", "maintenance", "actions")
    }
    assert texts == {
        "incidents": "No open incidents.",
        "components": "Every component is operational.",
        "maintenance": "Nothing in progress or scheduled.",
        "actions": "Nothing is overdue.",
    }
    notify = section(document, "notify")
    assert notify.find("div", cls="home-switch").text() == (
        "Sending is on: nothing is held back. Pause all sending"
    )
    assert [a.text() for a in notify.find("ul", cls="home-counts").find_all("a")] == [
        "0 Pending",
        "0 Unknown (resolve by hand)",
        "0 Failed",
    ]


def test_the_stock_app_list_and_recent_actions_stay_below(admin_client, busy_page):
    html = fetch(admin_client)

    for name in ("Incidents", "Scheduled maintenances", "Components", "Deliveries"):
        assert f">{name}</a>" in html, name
    assert "Recent actions" in html
    assert html.index('class="home-grid"') < html.index('id="content-main"')


def test_a_viewer_sees_every_section_and_no_write_button(client, viewer, busy_page):
    client.force_login(viewer)
    html = fetch(client)
    document = parse(html)

    for name in ("incidents", "components", "maintenance", "notify", "actions"):
        section(document, name)
    assert document.find_all("a", cls="home-button") == []
    assert not any(link in html for link in WRITE_LINKS)
    switch = section(document, "notify").find("div", cls="home-switch")
    assert links(switch) == [("See the kill switch", "/admin/notify/sendingswitch/")]


def test_an_on_call_engineer_has_the_write_buttons(client, oncall, busy_page):
    client.force_login(oncall)
    document = home(client)

    assert links(document.find("p", cls="home-head-links"))[:2] == [
        ("Declare incident", "/admin/incidents/incident/add/"),
        ("Schedule maintenance", "/admin/incidents/scheduledmaintenance/add/"),
    ]
    switch = section(document, "notify").find("div", cls="home-switch")
    assert links(switch) == [("Resume sending", "/admin/notify/sendingswitch/")]


def test_a_section_shows_only_when_its_rows_may_be_viewed(client, busy_page):
    member = UserFactory(username="reader")
    member.user_permissions.add(Permission.objects.get(codename="view_incident"))
    client.force_login(member)

    document = home(client)

    assert [s.attrs["class"] for s in document.find_all("section")] == ["module home-incidents"]
    assert document.find("h1", cls="home-status").text() == "Public page Partial System Outage"
    assert document.find_all("a", cls="home-button") == []


def test_a_signed_out_visitor_is_sent_to_sign_in(client):
    response = client.get(HOME)

    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/"


def test_the_home_reads_the_same_few_queries_however_busy_the_page(
    admin_client, busy_page, components, django_assert_max_num_queries
):
    # 8 of them the home's own (page settings, incidents and their components, components
    # not operational, the switch, delivery counts, overdue actions counted and listed); the
    # rest the session, the second factor and the stock index.
    with django_assert_max_num_queries(14):
        home(admin_client)

    with time_machine.travel(NOW, tick=False):
        for number in range(5):
            incident = declare(f"More trouble {number}", {components["Web"]: "partial_outage"})
            services.create_recovery_action(
                incident=incident, title="Late", kind="repair", due_on=TODAY - timedelta(days=1)
            )
    with django_assert_max_num_queries(14):
        assert len(rows(section(home(admin_client), "incidents"))) == 7


def test_the_home_in_japanese(admin_client, busy_page):
    document = home(admin_client, HTTP_ACCEPT_LANGUAGE="ja")

    assert document.find("h1", cls="home-status").text() == (
        "公開ページ 一部のシステムで障害が発生しています"
    )
    incidents = section(document, "incidents")
    assert incidents.find("h2").text() == "未解決のインシデント 2 件"
    assert rows(incidents)[1] == (
        "Elevated API errors 調査中 影響度: 重大 API 最終更新: 42分前 "
        "30 分以上、公開の更新がありません"
    )
    assert links(document.find("p", cls="home-head-links"))[0] == (
        "インシデントを宣言",
        "/admin/incidents/incident/add/",
    )
