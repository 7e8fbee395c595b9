"""How often the live page asks, in a real headless Chromium: not at all while its tab is hidden
(and at once when shown again, its interval being over), and less often after each error, back
to the interval after the first success.

Time is Playwright's clock, installed and paused: it moves only when the test moves it, so the
intervals are exact and nothing depends on the machine's speed. Every setTimeout the page asks
for is recorded (the delays: page.js sets one timer per poll), and every request for
summary.json goes through a route of the test that counts it and answers it (passed to the
live server, or an error).

Hidden tabs: headless Chromium shows every page as visible whatever is done to it (a minimised
window, another tab brought to the front, a frozen lifecycle state through CDP), so the tab is
hidden the way a browser tells a page: document.visibilityState and document.hidden change and
a visibilitychange event is dispatched.
"""

from datetime import UTC, datetime, timedelta

import pytest

from incidents import services
from tests.chromium import chromium
from tests.statuspage.page_data import component, tokyo_page

pytestmark = pytest.mark.e2e

START = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)
WAIT_MS = 15_000
# After Playwright's clock, so that the delays recorded are those of its (paused) timers.
RECORD_DELAYS = """
window.delays = [];
const setTimeoutOfTheClock = window.setTimeout;
window.setTimeout = function (callback, delay) {
  window.delays.push(delay);
  return setTimeoutOfTheClock.apply(this, arguments);
};
"""
SET_VISIBILITY = """hidden => {
  Object.defineProperty(document, "hidden", { configurable: true, get: () => hidden });
  Object.defineProperty(document, "visibilityState", {
    configurable: true, get: () => (hidden ? "hidden" : "visible")
  });
  document.dispatchEvent(new Event("visibilitychange"));
}"""


@pytest.fixture
def live_page(live_server, settings):
    settings.NOROSHI_LIVE_SECONDS = 1
    tokyo_page()
    services.declare_incident(
        name="Login errors",
        body="We are looking into it.",
        component_statuses={component("API"): "major_outage"},
        deliver_notifications=False,
    )
    return live_server.url + "/"


class Summaries:
    """The route of summary.json: each request recorded, answered as `answers` says in turn
    ("pass": by the live server; a status code; "abort": the connection fails), then passed."""

    def __init__(self, answers=()):
        self.answers = list(answers)
        self.requests = []

    def __call__(self, route):
        self.requests.append(route.request.headers.get("if-none-match"))
        answer = self.answers.pop(0) if self.answers else "pass"
        if answer == "pass":
            route.continue_()
        elif answer == "abort":
            route.abort("connectionfailed")
        else:
            route.fulfill(status=answer, body="Unavailable")


@pytest.fixture
def open_page(live_page):
    """Open the live page with the clock paused; yields (page, summaries)."""

    def open_with(summaries: Summaries):
        page = browser.new_page()
        # The installed clock runs until paused, and pause_at refuses a time it has passed:
        # installed a minute early, it never has, however slowly a busy machine gets there.
        page.clock.install(time=START - timedelta(minutes=1))
        page.clock.pause_at(START)
        page.add_init_script(RECORD_DELAYS)
        page.route("**/api/v2/summary.json*", summaries)
        page.goto(live_page)
        assert page.locator("html").get_attribute("data-live") == "polling"
        return page

    with chromium() as browser:
        yield open_with


def scheduled(page, count: int) -> list[int]:
    """The delays of the first `count` timers, once the page has set that many."""
    page.wait_for_function("n => window.delays.length >= n", arg=count, timeout=WAIT_MS)
    return page.evaluate("window.delays")[:count]


def test_polling_backs_off_after_errors_and_returns_to_its_interval(open_page):
    summaries = Summaries(["pass", 503, 503, "abort", "pass", "pass"])
    page = open_page(summaries)
    assert scheduled(page, 1) == [1000]

    for count in range(2, 8):
        page.clock.run_for(scheduled(page, count - 1)[-1])
        scheduled(page, count)

    # One request per timer: the first; three errors, each doubling the wait; the whole
    # summary read again (its ETag forgotten); then a conditional request (304).
    assert page.evaluate("window.delays") == [1000, 1000, 2000, 4000, 8000, 1000, 1000]
    etag = summaries.requests[1]
    assert etag is not None
    assert summaries.requests == [None, etag, None, None, None, etag]
    assert page.locator("html").get_attribute("data-live") == "polling"


def test_a_hidden_tab_asks_nothing_until_it_is_shown(open_page):
    summaries = Summaries()
    page = open_page(summaries)
    page.clock.run_for(scheduled(page, 1)[0])
    assert scheduled(page, 2) == [1000, 1000]
    assert len(summaries.requests) == 1

    page.evaluate(SET_VISIBILITY, True)
    # The timer set before fires, and asks nothing; no other is set, however long it stays hidden.
    page.clock.run_for(60_000)
    page.evaluate(SET_VISIBILITY, False)
    # Shown again long after its interval: it asks at once (a timer of 0), and only then.
    assert scheduled(page, 3) == [1000, 1000, 0]
    page.clock.run_for(0)
    assert scheduled(page, 4) == [1000, 1000, 0, 1000]
    assert len(summaries.requests) == 2

    # Hidden for less than its interval: the timer set before asks, once, on time.
    page.evaluate(SET_VISIBILITY, True)
    page.clock.run_for(400)
    page.evaluate(SET_VISIBILITY, False)
    page.clock.run_for(600)
    assert scheduled(page, 5) == [1000, 1000, 0, 1000, 1000]
    assert len(summaries.requests) == 3
