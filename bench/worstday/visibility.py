"""Publish → visible: the on-call engineer posts a status change through the services (as the
console does, notify on), and a visitor polls /api/v2/summary.json through the shipped nginx
until an answer shows it. Import after django.setup().
"""

import secrets
import time
from dataclasses import dataclass

from scenario import committed, open_incident
from stack import page_module

from incidents import services

page_stack = page_module("stack")
page_measure = page_module("measure")

# The change each probe makes: the incident's status and its component's, in turn.
STEPS = (
    ("identified", "partial_outage"),
    ("monitoring", "degraded_performance"),
    ("investigating", "major_outage"),
)
POLL_SECONDS = 0.02


@dataclass
class Sample:
    committed_at: float
    seen_at: float | None  # None: not seen within the timeout
    polls: int
    failed_polls: int  # no answer, or not a 200
    under_load: bool  # the visitors' load and the fan-out were both running at the commit

    @property
    def seconds(self) -> float | None:
        return None if self.seen_at is None else self.seen_at - self.committed_at


def probe_incident(component):
    """The incident the probes post to: on its own component, so that their announcements go
    to a small audience of their own and not to the fan-out's."""
    return open_incident("Dashboard sign-in slow", component)


def publish_and_watch(
    harness, incident, component, n: int, timeout: float
) -> tuple[float, float, tuple[int, int]]:
    """Post update `n` (its marker in the body), then poll summary.json through nginx until it
    shows the marker; return the commit time, the time of the first answer that showed it (0.0
    if none did within `timeout`), and the polls made and those that failed."""
    status, component_status = STEPS[n % len(STEPS)]
    marker = f"probe-{n}-{secrets.token_hex(6)}"
    _, committed_at = committed(
        lambda: services.post_update(
            incident=incident,
            status=status,
            body=f"Still looking into it ({marker}).",
            component_statuses={component: component_status},
        )
    )
    url = harness.nginx_url("/api/v2/summary.json")
    polls, failed, deadline = 0, 0, committed_at + timeout
    while time.time() < deadline:
        polls += 1
        try:
            status, _, body = page_stack.fetch(url, page_measure.BROWSER_HEADERS, timeout=timeout)
        except OSError:  # a visitor's failure: counted, and the visitor tries again
            status, body = 0, b""
        failed += status != 200
        if status == 200 and marker.encode() in body:
            return committed_at, time.time(), (polls, failed)
        time.sleep(POLL_SECONDS)
    return committed_at, 0.0, (polls, failed)


def measure_visibility(
    harness, incident, component, *, probes: int, timeout: float, gap: float, loaded
) -> list[Sample]:
    """`probes` publishes, one at a time, `gap` s apart; `loaded()` says whether the load under
    which they are measured is still there."""
    samples = []
    for n in range(probes):
        under_load = loaded()
        committed_at, seen_at, polls = publish_and_watch(harness, incident, component, n, timeout)
        sample = Sample(committed_at, seen_at or None, *polls, under_load and loaded())
        samples.append(sample)
        shown = "not seen" if sample.seconds is None else f"{sample.seconds:.2f} s"
        print(f"  publish → visible through nginx, probe {n}: {shown}", flush=True)
        time.sleep(gap)
    return samples
