"""The wait between the tries of a refused send: a base that doubles, up to a ceiling, both
set by the environment (drills and end-to-end tests shorten them)."""

from datetime import timedelta

from notify.delivery import backoff


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
