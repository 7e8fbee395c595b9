"""Reading a receiver's Retry-After (netguard.Response.retry_after): delay-seconds or any of
HTTP's three date forms, with the clock passed in; anything else is not read."""

import pytest

from notify.netguard import Response

# Wed, 21 Oct 2015 07:28:00 GMT
WHEN = 1445412480.0


def answer(*headers: tuple[str, str]) -> Response:
    return Response(503, "Service Unavailable", dict(headers), b"", False)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        (" 7 ", 7.0),
        ("0", 0.0),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 30.0),  # IMF-fixdate
        ("Wednesday, 21-Oct-15 07:28:00 GMT", 30.0),  # RFC 850
        ("Wed Oct 21 07:28:00 2015", 30.0),  # asctime
    ],
)
def test_seconds_and_dates_are_read(value, seconds):
    assert answer(("retry-after", value)).retry_after(now=WHEN - 30) == seconds


def test_a_date_already_past_is_no_wait():
    assert answer(("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT")).retry_after(now=WHEN + 5) == 0


@pytest.mark.parametrize(
    "value", ["", "soon", "-5", "1.5", "１２", "Wed, 21 Oct 2015 07:28:00 +0900"]
)
def test_anything_else_is_not_read(value):
    assert answer(("retry-after", value)).retry_after(now=WHEN) is None


def test_no_header_is_not_a_wait():
    assert answer().retry_after(now=WHEN) is None
