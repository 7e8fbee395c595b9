"""Reading what happened: the sink's arrivals, the worker's log, the CPU others used.

The sink writes a line per message as it arrives (see sink.py); SinkLog reads the new lines
each time it is asked, and keeps the arrival times per X-Noroshi-Delivery key.
"""

import calendar
import re
import statistics
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

# "[2026-11-22 19:53:01,123: INFO/ForkPoolWorker-1] notification 7: 100000 deliveries added…"
FANNED_OUT = re.compile(
    r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3}): INFO/[^\]]+\] notification (\d+): (\d+) "
    r"deliveries added",
    re.MULTILINE,
)


class SinkLog:
    """The sink's arrivals so far: times per key, in arrival order."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0
        self.times: dict[str, list[float]] = defaultdict(list)
        self.per_prefix: Counter = Counter()  # messages per "noroshi-<notification>-", etc.
        self.total = 0

    def read(self) -> None:
        if not self.path.exists():
            return
        with self.path.open("rb") as handle:
            handle.seek(self.offset)
            chunk = handle.read()
        end = chunk.rfind(b"\n") + 1  # a line still being written waits for the next read
        self.offset += end
        for line in chunk[:end].decode().splitlines():
            at, key, _ = line.split(" ", 2)
            self.times[key].append(float(at))
            self.per_prefix[key.rpartition("-")[0] + "-"] += 1
            self.total += 1

    def arrivals(self, prefix: str) -> list[float]:
        """Arrival times of every message whose key starts with `prefix`, sorted."""
        self.read()
        return sorted(
            t for key, times in self.times.items() if key.startswith(prefix) for t in times
        )

    def count(self, prefix: str) -> int:
        """Messages so far whose key is `prefix` and one more part (cheap: asked often)."""
        self.read()
        return self.per_prefix[prefix]

    def counts(self, prefix: str) -> Counter:
        self.read()
        return Counter({k: len(v) for k, v in self.times.items() if k.startswith(prefix)})

    def first(self, prefix: str) -> float | None:
        arrivals = self.arrivals(prefix)
        return arrivals[0] if arrivals else None


def notification_prefix(notification_id: int) -> str:
    """The key of every delivery of a notification starts so (Delivery.idempotency_key)."""
    return f"noroshi-{notification_id}-"


def fanned_out_at(worker_log: Path, notification_id: int) -> tuple[float, int] | None:
    """When the fan-out task of a notification logged its end (rows written, sends queued),
    and how many rows it added; None while it has not."""
    text = worker_log.read_text(errors="replace") if worker_log.exists() else ""
    for match in FANNED_OUT.finditer(text):
        if int(match.group(3)) == notification_id:
            stamp = time.strptime(match.group(1), "%Y-%m-%d %H:%M:%S")
            return calendar.timegm(stamp) + int(match.group(2)) / 1000, int(match.group(4))
    return None


@dataclass
class Rate:
    messages: int
    seconds: float
    per_second: float
    steady_per_second: float  # between the 5th and the 95th percentile of arrivals


def rate(arrivals: list[float]) -> Rate:
    """Messages per second from the first arrival to the last, and over the middle 90 %."""
    n = len(arrivals)
    if n < 2:
        return Rate(n, 0.0, 0.0, 0.0)
    seconds = arrivals[-1] - arrivals[0]
    low, high = int(n * 0.05), int(n * 0.95) - 1
    steady = (
        (high - low) / (arrivals[high] - arrivals[low]) if arrivals[high] > arrivals[low] else 0
    )
    return Rate(n, seconds, (n - 1) / seconds if seconds else 0.0, steady)


def wait(condition, what: str, seconds: float, step: float = 0.01):
    """Poll `condition` every `step` until it returns something true, and return that."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise TimeoutError(f"waited {seconds:.0f} s for {what}")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def median(values: list[float]) -> float:
    return statistics.median(values)
