"""Twilio down while a real worker texts a new incident to twenty numbers, through the real
twilio SDK and a fake Twilio on 127.0.0.1 (behind a TCP proxy where the test cuts it): error
answers (503, 429, 500), connection refused, a hung API.

What must hold: the public page answers 200 throughout; a refusal or a connection that never
opened is retried with backoff and sent once Twilio is back, with no operator; a request that
went out and got no answer is `unknown` (Twilio may have sent it; creating a message is not
idempotent) and never sent again; each number is texted at most once."""

import time
from collections import Counter

import pytest
from django.utils import timezone

from incidents import services
from notify.models import Delivery, Subscriber
from tests.e2e.conftest import settled, wait_for
from tests.e2e.faults import (
    Watch,
    all_waiting,
    assert_backed_off,
    assert_delivery_log_shows,
    assert_public_page_answers,
    errors,
    running_worker,
)
from tests.e2e.tcp_proxy import TcpProxy
from tests.fake_twilio import FakeTwilio

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

COUNT = 20


@pytest.fixture
def fake():
    with FakeTwilio() as running:
        yield running


@pytest.fixture
def twilio_proxy(fake):
    proxy = TcpProxy("127.0.0.1", fake.server.server_address[1]).start()
    try:
        yield proxy
    finally:
        proxy.shutdown()


def twilio_env(fake: FakeTwilio, url: str) -> dict[str, str]:
    return {
        "TWILIO_ACCOUNT_SID": fake.account_sid,
        "TWILIO_AUTH_TOKEN": fake.auth_token,
        "TWILIO_FROM_NUMBER": "+15005550006",
        "NOROSHI_TWILIO_API_URL": url,
        "NOROSHI_TWILIO_TIMEOUT": "2",
        "NOROSHI_SMS_PER_SECOND": "100",
    }


def texters() -> list[str]:
    numbers = [f"+8190{n:08d}" for n in range(COUNT)]
    now = timezone.now()
    Subscriber.objects.bulk_create(
        Subscriber(channel="sms", address=number, confirmed_at=now) for number in numbers
    )
    return numbers


def declare() -> None:
    """An incident's first update: texted to every SMS subscriber."""
    services.declare_incident(name="SMS gateway down", body="Investigating.")


def refused_until(fake, worker, *, status: int, code: int, message: str) -> None:
    """Twilio answers every create with this error until each delivery has had it."""
    fake.refuse_all(status=status, code=code, message=message)
    error = f"Twilio error {code} (HTTP {status}): Unable to create record: {message}"
    refused = Watch(
        lambda seen: (
            len(seen) == COUNT and all(state == "pending" and e == error for _, state, _, e in seen)
        )
    )
    wait_for(refused, f"every delivery to be refused with {status}", worker)


def test_twilio_answering_503_429_and_500_delays_every_text_and_sends_each_once(
    tmp_path, worker_queue, fake, client, admin_client
):
    numbers = texters()
    # Three refusals and a success: within the five attempts even if a text is refused twice
    # by the same answer, before the test changes it (a slower backoff leaves time for that).
    env = {**twilio_env(fake, fake.url), "NOROSHI_RETRY_BASE_SECONDS": "2"}
    with running_worker(tmp_path, worker_queue, env) as worker:
        fake.refuse_all(status=503, code=20503, message="Service Unavailable")
        declare()
        refused_until(fake, worker, status=503, code=20503, message="Service Unavailable")
        assert_public_page_answers(client)
        assert_delivery_log_shows(
            admin_client,
            "pending",
            "Twilio error 20503 (HTTP 503): Unable to create record: Service Unavailable",
        )
        refused_until(fake, worker, status=429, code=20429, message="Too Many Requests")
        refused_until(fake, worker, status=500, code=20500, message="Internal Server Error")
        assert_backed_off()
        assert fake.messages == []

        fake.recover()
        wait_for(settled, "every text to settle once Twilio is back", worker)
        time.sleep(2)  # anything still in flight would land now
    assert fake.per_recipient() == Counter(dict.fromkeys(numbers, 1))
    assert set(Delivery.objects.values_list("state", flat=True)) == {"sent"}


def test_twilio_refusing_connections_delays_every_text_and_sends_each_once(
    tmp_path, worker_queue, fake, twilio_proxy, client, admin_client
):
    numbers = texters()
    twilio_proxy.cut()
    url = f"http://127.0.0.1:{twilio_proxy.port}"
    with running_worker(tmp_path, worker_queue, twilio_env(fake, url)) as worker:
        declare()
        refused = all_waiting(COUNT, attempts=2)
        wait_for(refused, "every text to be refused twice", worker)
        (error,) = errors(refused.seen)
        assert error.startswith("could not reach Twilio: ")
        assert "[Errno 111] Connection refused" in error
        assert_backed_off()
        assert_public_page_answers(client)
        assert_delivery_log_shows(admin_client, "pending", error)

        twilio_proxy.restore()
        wait_for(settled, "every text to settle once Twilio is back", worker)
        time.sleep(2)
    assert fake.per_recipient() == Counter(dict.fromkeys(numbers, 1))
    assert set(Delivery.objects.values_list("state", flat=True)) == {"sent"}


def test_a_hung_twilio_leaves_only_the_texts_it_took_unknown_and_never_texts_twice(
    tmp_path, worker_queue, fake, client, admin_client
):
    """A create that got no answer within NOROSHI_TWILIO_TIMEOUT may have been sent: `unknown`,
    never sent again. Every other text goes out, once, when Twilio answers again."""
    numbers = texters()
    fake.hang_all()
    with running_worker(tmp_path, worker_queue, twilio_env(fake, fake.url)) as worker:
        declare()
        wait_for(
            lambda: Delivery.objects.filter(state="unknown").count() >= 2,
            "two texts to go unanswered",
            worker,
        )
        assert_public_page_answers(client)
        fake.recover()
        wait_for(settled, "every text to settle once Twilio answers", worker)
        time.sleep(2)
    assert fake.per_recipient() == Counter(dict.fromkeys(numbers, 1))
    states = dict(Delivery.objects.values_list("subscriber__address", "state"))
    hung = {message.to for message in fake.hung}
    assert states == {n: "unknown" if n in hung else "sent" for n in numbers}
    unknown = set(Delivery.objects.filter(state="unknown").values_list("error", flat=True))
    assert len(unknown) == 1
    (error,) = unknown
    assert error.startswith("no answer from Twilio after the message was sent: ")
    assert "Read timed out. (read timeout=2.0)" in error
    assert_delivery_log_shows(admin_client, "unknown", error)
