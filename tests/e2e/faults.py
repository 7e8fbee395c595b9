"""What the provider and database fault tests share: a real worker that shows its log when a
test fails, subscribers, a quiet incident, a look at the delivery log and the public page while
the fault lasts, and reading the delivery rows at one instant."""

import contextlib
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta

from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from incidents import services
from notify.models import Delivery, Subscriber
from tests.e2e.conftest import WorkerProcess, start_worker, stop_worker, wait_until_ready

# The retry timing the fault tests give their workers: 1 s, doubling, at most 8 s.
RETRY_BASE_SECONDS = 1
RETRY_MAX_SECONDS = 8

QUICK_SWEEP = {
    "NOROSHI_RETRY_BASE_SECONDS": str(RETRY_BASE_SECONDS),
    "NOROSHI_RETRY_MAX_SECONDS": str(RETRY_MAX_SECONDS),
    "NOROSHI_SWEEP_SECONDS": "1",
    "NOROSHI_REQUEUE_SECONDS": "3",
    # Longer than any provider timeout of these tests: the sweep never takes a send in flight.
    "NOROSHI_STUCK_SECONDS": "60",
    "NOROSHI_MAINTENANCE_CHECK_SECONDS": "60",
}


@contextlib.contextmanager
def running_worker(
    tmp_path, queue: str, env: dict[str, str], concurrency: int = 2
) -> Iterator[WorkerProcess]:
    """A real `celery worker -B`, ready; stopped at the end, its log shown if the test failed."""
    worker = start_worker(tmp_path, queue, {**QUICK_SWEEP, **env}, concurrency=concurrency)
    try:
        wait_until_ready(worker)
        yield worker
    except BaseException:
        sys.stderr.write(f"\n----- Celery worker log -----\n{worker.log()}\n")
        raise
    finally:
        stop_worker(worker)


def email_subscribers(count: int) -> list[str]:
    """`count` confirmed e-mail subscribers (and one unconfirmed, who gets nothing)."""
    now = timezone.now()
    addresses = [f"s{n:05d}@example.com" for n in range(count)]
    Subscriber.objects.bulk_create(
        Subscriber(channel="email", address=a, confirmed_at=now) for a in addresses
    )
    Subscriber.objects.create(channel="email", address="unconfirmed@example.com")
    return addresses


def quiet_incident():
    """An incident declared without announcing it: the test's update is the announcement."""
    return services.declare_incident(
        name="Elevated API errors", body="Investigating.", deliver_notifications=False
    )


def announce(incident) -> None:
    services.post_update(incident=incident, status="identified", body="A bad deploy.")


def rows() -> list[tuple[str, str, int, str]]:
    """Every delivery as (address, state, attempts, error), read in one query."""
    return list(
        Delivery.objects.order_by("subscriber__address").values_list(
            "subscriber__address", "state", "attempts", "error"
        )
    )


class Watch:
    """A condition on the delivery rows, keeping the rows it last read (what a test then
    asserts on is what the condition saw)."""

    def __init__(self, condition: Callable[[list], bool]):
        self.condition = condition
        self.seen: list[tuple[str, str, int, str]] = []

    def __call__(self) -> bool:
        self.seen = rows()
        return self.condition(self.seen)


def all_waiting(count: int, attempts: int) -> Watch:
    """Every one of `count` deliveries back to `pending` after at least `attempts` tries."""
    return Watch(
        lambda seen: (
            len(seen) == count
            and all(state == "pending" and tried >= attempts for _, state, tried, _ in seen)
        )
    )


def errors(seen) -> set[str]:
    return {error for _, _, _, error in seen}


def expected_backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(RETRY_BASE_SECONDS * 2 ** (attempts - 1), RETRY_MAX_SECONDS))


def assert_backed_off() -> None:
    """Each pending delivery that was tried is due no sooner than its backoff after its claim."""
    for claimed, due, attempts in Delivery.objects.filter(
        state="pending", attempts__gte=1
    ).values_list("claimed_at", "next_attempt_at", "attempts"):
        assert due is not None
        # (Not a test module: pytest does not rewrite this assert to show the values.)
        assert due - claimed >= expected_backoff(attempts), (attempts, claimed, due)


def assert_public_page_answers(client: Client) -> None:
    for path in ("/", "/api/v2/summary.json"):
        assert (path, client.get(path).status_code) == (path, 200)


def assert_delivery_log_shows(admin_client: Client, state: str, error: str) -> None:
    """The console's delivery log, filtered by state, lists the error as the provider gave it."""
    page = admin_client.get("/admin/notify/delivery/", {"state__exact": state})
    assert page.status_code == 200
    assert escape(error) in page.content.decode()


def wait_quietly(condition: Callable[[], bool], seconds: float) -> bool:
    """Wait for a condition that may never come (a bug's symptom); whether it came."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False
