"""A receiver's Retry-After. Reading it (netguard.Response.retry_after): delay-seconds or any
of HTTP's three date forms, with the clock passed in; anything else is not read. Honouring it
(the webhook channel, against a real HTTPS receiver): on a 429 or 503 only, capped at an hour,
carried by the error and waited for before the next attempt."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.http import http_date

from incidents import services as incident_services
from notify.channels.base import RetryableError
from notify.channels.webhook import WebhookChannel
from notify.models import Delivery, Notification
from notify.netguard import Response
from tests.notify.test_webhook import deliver
from tests.notify.test_webhook_answers import envelope
from tests.webhook_receiver import Reply

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


# --- The webhook channel honours it --------------------------------------------------------


def retry_after(code: int, value: str, body: bytes = b"") -> Reply:
    return Reply(status=code, body=body, headers=(("Retry-After", value),))


RETRY_AFTER = [
    (retry_after(429, "120", b"slow down"), "HTTP 429: slow down (retry after 120 s)", 120),
    (retry_after(503, "0"), "HTTP 503 (retry after 0 s)", 0),
    (retry_after(429, "86400"), "HTTP 429 (retry after 3600 s)", 3600),  # capped at an hour
    (retry_after(429, "soon"), "HTTP 429", None),  # unreadable: the usual backoff
    (retry_after(500, "120"), "HTTP 500", None),  # read on 429 and 503 only
    (retry_after(408, "120"), "HTTP 408", None),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("reply", "message", "wait"), RETRY_AFTER)
def test_the_retry_after_of_a_429_or_503_goes_with_the_error(
    rendered_webhook, webhook_receiver, reply, message, wait
):
    webhook_receiver.plan("/hook", reply)
    with pytest.raises(RetryableError) as raised:
        WebhookChannel().send(rendered_webhook, envelope(webhook_receiver.url("/hook")))
    assert (str(raised.value), raised.value.retry_after) == (message, wait)


@pytest.mark.django_db
def test_a_retry_after_date_is_the_seconds_until_it(rendered_webhook, webhook_receiver):
    webhook_receiver.plan("/hook", retry_after(503, http_date(time.time() + 600)))
    with pytest.raises(RetryableError) as raised:
        WebhookChannel().send(rendered_webhook, envelope(webhook_receiver.url("/hook")))
    # The date has whole seconds, and the request takes a moment.
    assert raised.value.retry_after in (599, 600)
    assert str(raised.value) == f"HTTP 503 (retry after {raised.value.retry_after} s)"


@pytest.mark.django_db
def test_a_retry_waits_for_the_retry_after_when_it_is_longer_than_the_backoff(
    outage, hook, webhook_receiver
):
    hook("/hooks/a")
    webhook_receiver.plan("/hooks/a", retry_after(429, "600", b"slow down"))
    update = incident_services.post_update(incident=outage, status="identified", body="Found it.")
    notification = Notification.objects.get(update=update)
    assert deliver(notification) == {"retry": 1}
    retried = Delivery.objects.get()
    assert retried.next_attempt_at >= timezone.now() + timedelta(seconds=590)  # not 30 s
    assert retried.error == "HTTP 429: slow down (retry after 600 s)"
