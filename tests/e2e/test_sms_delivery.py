"""A real worker texts a new incident to fifty subscribers through the real twilio SDK and a
fake Twilio on 127.0.0.1: each number gets exactly one message, even with every send queued
twice more."""

import time
from collections import Counter

import pytest
from django.utils import timezone

from incidents import services
from notify.models import Delivery, Subscriber
from notify.tasks import send_deliveries
from tests.e2e.conftest import settled, start_worker, stop_worker, wait_for, wait_until_ready
from tests.fake_twilio import FakeTwilio

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def twilio_env(fake: FakeTwilio) -> dict[str, str]:
    return {
        "TWILIO_ACCOUNT_SID": fake.account_sid,
        "TWILIO_AUTH_TOKEN": fake.auth_token,
        "TWILIO_FROM_NUMBER": "+15005550006",
        "NOROSHI_TWILIO_API_URL": fake.url,
        "NOROSHI_TWILIO_TIMEOUT": "5",
        "NOROSHI_SMS_PER_SECOND": "100",
        "NOROSHI_SWEEP_SECONDS": "1",
        "NOROSHI_REQUEUE_SECONDS": "3",
        "NOROSHI_MAINTENANCE_CHECK_SECONDS": "60",
    }


def test_an_incident_is_texted_once_to_each_of_fifty_numbers(tmp_path, worker_queue):
    numbers = [f"+8190{n:08d}" for n in range(50)]
    now = timezone.now()
    Subscriber.objects.bulk_create(
        Subscriber(channel="sms", address=number, confirmed_at=now) for number in numbers
    )
    Subscriber.objects.create(channel="sms", address="+819099999999")  # not confirmed
    with FakeTwilio() as fake:
        worker = start_worker(tmp_path, worker_queue, twilio_env(fake), concurrency=2)
        try:
            wait_until_ready(worker)
            incident = services.declare_incident(name="SMS gateway down", body="Investigating.")
            wait_for(lambda: Delivery.objects.count() == 50, "the fan-out", worker)
            ids = list(Delivery.objects.values_list("id", flat=True))
            send_deliveries.delay(ids)  # a redelivered task, a re-run: nothing more goes out
            send_deliveries.delay(ids[::-1])
            wait_for(settled, "every delivery to settle", worker)
            time.sleep(2)  # anything still in flight would land now
        finally:
            stop_worker(worker)
    assert fake.per_recipient() == Counter(dict.fromkeys(numbers, 1))
    assert set(Delivery.objects.values_list("state", flat=True)) == {"sent"}
    link = f"http://127.0.0.1:8000/incidents/{incident.public_id}"
    assert set(fake.bodies()) == {
        f"[Noroshi] [Investigating] SMS gateway down: Investigating. {link}"
    }
    assert {(m.validity_period, m.from_) for m in fake.messages} == {("600", "+15005550006")}
    sids = dict(Delivery.objects.values_list("subscriber__address", "provider_id"))
    assert sids == {m.to: m.sid for m in fake.messages}
