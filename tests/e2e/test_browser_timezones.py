"""Dates and times in one zone, in real headless Chromium whose time zone is far from the
page's (set through CDP's Emulation.setTimezoneOverride): a Tokyo page read in Los Angeles
and a Los Angeles page read in Tokyo, with incidents a little after and before midnight.

Every entry of the overview's past days and of the history's months sits under the day (or
month) of its own start in the browser's zone, the heading span follows that zone's today,
the times say the same dates, uptime days name the page's zone, and the footer says exactly
what is shown in which zone. Screenshots land in test-artifacts/."""

import zoneinfo
from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from incidents import services
from incidents.models import Incident
from tests.chromium import chromium, screenshot
from tests.statuspage.page_data import blip, component, past_incident

pytestmark = pytest.mark.e2e

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
LOS_ANGELES = zoneinfo.ZoneInfo("America/Los_Angeles")
PAST_DAYS = 7

# Where each visible entry sits, and what its time says: [group key, start, time text].
ENTRIES = """list => Array.from(list.querySelectorAll("[data-at]"))
  .filter(e => !e.hidden && !e.closest("[data-group]").hidden)
  .map(e => [e.closest("[data-group]").getAttribute("data-group"), e.getAttribute("data-at"),
             e.querySelector(".meta time").textContent, e.querySelector("a").textContent])"""
GROUPS = """list => Array.from(list.querySelectorAll("[data-group]")).filter(g => !g.hidden)
  .map(g => [g.getAttribute("data-group"), !g.querySelector(".empty").hidden])"""


def at_local(day: date, hour: int, minute: int, zone) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone)


def page_in(zone) -> tuple[datetime, datetime]:
    """A page in `zone` with incidents a little after midnight yesterday and a little before
    midnight the day before, there; returns their starts."""
    services.edit_page_settings(name="Hoshizora Cloud", time_zone=zone.key)
    api = component("API", created_at=timezone.now() - timedelta(days=120))
    blip(api, "major_outage", timezone.now() - timedelta(days=3), 45)
    today = timezone.now().astimezone(zone).date()
    after_midnight = at_local(today - timedelta(days=1), 0, 30, zone)
    before_midnight = at_local(today - timedelta(days=2), 23, 30, zone)
    past_incident("Just after midnight", {api: "partial_outage"}, after_midnight, 20)
    past_incident("Just before midnight", {api: "partial_outage"}, before_midnight, 20)
    return after_midnight, before_midnight


def open_in_zone(browser, zone, url: str):
    page = browser.new_page(locale="en-US", viewport={"width": 1280, "height": 900})
    # What Playwright's timezone_id does, said the way the brief names it: the zone is set
    # before the page's scripts run.
    page.context.new_cdp_session(page).send(
        "Emulation.setTimezoneOverride", {"timezoneId": zone.key}
    )
    page.goto(url)  # returns at "load": the deferred scripts have run
    return page


def expected_days(now: datetime, zone) -> list[str]:
    today = now.astimezone(zone).date()
    return [(today - timedelta(days=n)).isoformat() for n in range(PAST_DAYS)]


@pytest.mark.parametrize(
    ("page_zone", "browser_zone"), [(TOKYO, LOS_ANGELES), (LOS_ANGELES, TOKYO)]
)
def test_the_overview_groups_past_days_in_the_browser_s_zone(live_server, page_zone, browser_zone):
    starts = page_in(page_zone)
    now = timezone.now()
    with chromium() as browser:
        page = open_in_zone(browser, browser_zone, live_server.url + "/")
        past = page.locator("[data-regroup=day]")
        entries = past.evaluate(ENTRIES)
        groups = past.evaluate(GROUPS)
        screenshot(page, f"timezones-overview-{browser_zone.key.replace('/', '-')}")

        assert [key for key, _ in groups] == expected_days(now, browser_zone)
        # Each entry under the day of its start in the browser's zone, its time on that day.
        by_name = {name: (key, text) for key, _, text, name in entries}
        local_days = [s.astimezone(browser_zone).date().isoformat() for s in starts]
        names = ("Just after midnight", "Just before midnight")
        for name, local_day in zip(names, local_days, strict=True):
            assert by_name[name][0] == local_day
            assert by_name[name][1].startswith(local_day)
        # Near midnight in one zone is the middle of a day in the other: one entry moved.
        assert local_days != [s.date().isoformat() for s in starts]
        # "No incidents reported." shows exactly on the days without entries.
        with_entries = {key for key, *_ in entries}
        assert [(key, shown) for key, shown in groups] == [
            (key, key not in with_entries) for key, _ in groups
        ]
        # Uptime days stay the page's days, and say so.
        label = page.locator("ol.bar > li").last.get_attribute("aria-label")
        assert label.split("\n")[0].endswith(f" ({page_zone.key})")
        offset = now.astimezone(page_zone).strftime("%z")
        assert page.locator("#time-zone-note").inner_text() == (
            f"Times are shown in your time zone ({browser_zone.key}); uptime days are days of "
            f"{page_zone.key} (UTC{offset[:3]}:{offset[3:]})."
        )


def test_without_a_zone_of_its_own_the_page_reads_in_the_page_s_zone(live_server):
    after_midnight, _ = page_in(TOKYO)
    with chromium() as browser:
        page = open_in_zone(browser, TOKYO, live_server.url + "/")
        entries = page.locator("[data-regroup=day]").evaluate(ENTRIES)

    (key, _, text, _) = next(e for e in entries if e[3] == "Just after midnight")
    assert (key, text) == (
        after_midnight.date().isoformat(),
        f"{after_midnight:%Y-%m-%d %H:%M} JST",
    )


@pytest.mark.parametrize(
    ("page_zone", "browser_zone"), [(TOKYO, LOS_ANGELES), (LOS_ANGELES, TOKYO)]
)
def test_the_history_moves_an_entry_to_the_month_of_the_browser_s_zone(
    live_server, page_zone, browser_zone
):
    services.edit_page_settings(name="Hoshizora Cloud", time_zone=page_zone.key)
    api = component("API", created_at=timezone.now() - timedelta(days=400))
    this_month = timezone.now().astimezone(page_zone).date().replace(day=1)
    # Tokyo's first minutes of this month are last month in Los Angeles; Los Angeles's last
    # minutes of last month are this month in Tokyo.
    if page_zone is TOKYO:
        start = at_local(this_month, 0, 30, page_zone)
    else:
        start = at_local(this_month - timedelta(days=1), 23, 30, page_zone)
    if start > timezone.now():
        pytest.skip("the first half hour of a month")  # the entry would not have started
    past_incident("At the turn of the month", {api: "partial_outage"}, start, 20)
    local_month = start.astimezone(browser_zone).strftime("%Y-%m")
    assert local_month != start.strftime("%Y-%m")

    with chromium() as browser:
        page = open_in_zone(browser, browser_zone, live_server.url + "/history")
        months = page.locator("[data-regroup=month]")
        entries = months.evaluate(ENTRIES)
        shown = [key for key, _ in months.evaluate(GROUPS)]
        screenshot(page, f"timezones-history-{browser_zone.key.replace('/', '-')}")

    # The three months of the page stay; the entry sits in its month in the browser's zone.
    assert len(shown) == 3
    assert [(key, name) for key, _, _, name in entries] == [
        (local_month, "At the turn of the month")
    ]
    assert entries[0][2].startswith(start.astimezone(browser_zone).strftime("%Y-%m-%d"))


def test_the_uptime_calendar_names_the_page_s_zone_on_each_day(live_server):
    page_in(TOKYO)
    with chromium() as browser:
        page = open_in_zone(browser, LOS_ANGELES, live_server.url + "/uptime")
        dates = page.locator(".calendar .tip > strong").all_text_contents()
        note = page.locator("#time-zone-note").inner_text()
        screenshot(page, "timezones-uptime-America-Los_Angeles")

    assert dates and all(d.endswith(" (Asia/Tokyo)") for d in dates)
    assert note.startswith("Times are shown in your time zone (America/Los_Angeles); uptime days")


def test_an_incident_page_has_only_times_and_says_they_are_the_browser_s(live_server):
    after_midnight, _ = page_in(TOKYO)
    incident = Incident.objects.get(name="Just after midnight")
    with chromium() as browser:
        page = open_in_zone(
            browser, LOS_ANGELES, f"{live_server.url}/incidents/{incident.public_id}"
        )
        started = page.locator(".facts time").first.inner_text()
        note = page.locator("#time-zone-note").inner_text()

    local = after_midnight.astimezone(LOS_ANGELES)
    assert started.startswith(f"{local:%Y-%m-%d %H:%M}")
    assert note == "Times are shown in your time zone (America/Los_Angeles)."
