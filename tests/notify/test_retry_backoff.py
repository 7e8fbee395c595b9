"""The wait between the tries of a refused send: a base that doubles, up to a ceiling, both
set by the environment (drills and end-to-end tests shorten them); a sign-up's answer, which
counts no tries, waits as long as it has been owed; the provider's Retry-After when longer;
the give-up age and how a given-up delivery's error names it (notify.retry_rules)."""

from datetime import UTC, datetime, timedelta

from notify.retry_rules import at_least_retry_after, backoff, backoff_since, gave_up, past_give_up

ASKED = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


def test_the_default_backoff_starts_at_thirty_seconds_and_stops_at_half_an_hour():
    waits = [backoff(attempts) for attempts in range(1, 9)]
    assert waits == [timedelta(seconds=s) for s in (30, 60, 120, 240, 480, 960, 1800, 1800)]


def test_the_backoff_base_and_ceiling_are_settings(settings):
    settings.NOTIFY_RETRY_BASE_SECONDS = 1
    settings.NOTIFY_RETRY_MAX_SECONDS = 5
    waits = [backoff(attempts) for attempts in range(1, 6)]
    assert waits == [timedelta(seconds=s) for s in (1, 2, 4, 5, 5)]


def test_the_backoff_after_thousands_of_tries_is_the_ceiling():
    """Tries are counted until the give-up age, not up to five: no power of two overflows."""
    assert backoff(5000) == timedelta(seconds=1800)


def test_an_answer_waits_as_long_as_it_has_been_owed_between_the_base_and_the_ceiling():
    waits = [backoff_since(ASKED, ASKED + timedelta(seconds=s)) for s in (0, 29, 45, 600, 7200)]
    assert waits == [timedelta(seconds=s) for s in (30, 30, 45, 600, 1800)]


def test_a_longer_retry_after_wins_and_a_shorter_one_does_not():
    wait = timedelta(seconds=60)
    assert at_least_retry_after(wait, None) == wait
    assert at_least_retry_after(wait, 5) == wait
    assert at_least_retry_after(wait, 90.5) == timedelta(seconds=90.5)


def test_the_give_up_age_is_reached_exactly_at_the_setting(settings):
    settings.NOTIFY_RETRY_GIVE_UP_SECONDS = 90
    before = ASKED + timedelta(seconds=89, microseconds=999999)
    assert past_give_up(ASKED, before) is False
    assert past_give_up(ASKED, ASKED + timedelta(seconds=90)) is True


def test_a_given_up_error_names_the_age_as_people_write_it(settings):
    written = []
    for seconds in (86400, 5400, 90, 45):
        settings.NOTIFY_RETRY_GIVE_UP_SECONDS = seconds
        written.append(gave_up("SMTP 451"))
    assert written == [
        "gave up after 24 h: SMTP 451",
        "gave up after 90 min: SMTP 451",
        "gave up after 90 s: SMTP 451",
        "gave up after 45 s: SMTP 451",
    ]
