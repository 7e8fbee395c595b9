"""The crash drill: a big announcement is being sent; a few seconds in, the worker's whole
process group is killed with SIGKILL (an OOM kill, a lost machine), then started again, as a
supervisor would. What it measures is the promise, read from the outside: the delivery rows'
states in the database, the messages at the sink (one line per message, with its
X-Noroshi-Delivery key) and the clock — never the worker's internals.

Import after django.setup().
"""

import itertools
import time
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count
from measure import notification_prefix, wait
from scenario import publish_update

from notify.models import Delivery

OPEN_STATES = ("pending", "sending")
# A pause longer than this in the messages reaching the sink, while some subscribers are still
# untold, is time lost to the kill (the steady sending leaves a message every few ms).
GAP_SECONDS = 1.0
POLL_SECONDS = 0.5

BODY = (
    "The fix is rolling out region by region; error rates are back to normal in two of three "
    "regions. Next update within 30 minutes."
)


@dataclass
class Outcome:
    """A notification's rows against its messages at the sink."""

    states: Counter = field(default_factory=Counter)
    duplicates: int = 0  # messages beyond one per key
    not_received: int = 0  # rows with no message at the sink
    sent_not_received: int = 0  # rows `sent` with no message at the sink
    unknown_delivered: int = 0  # rows `unknown` whose message did arrive

    @property
    def rows(self) -> int:
        return sum(self.states.values())


@dataclass
class Drill:
    audience: int
    processes: int  # pool processes killed with the worker
    patience: float  # how long the watch waits with nothing changing before it gives up
    sent_before_kill: int = 0
    claimed_at_kill: int = 0  # rows `sending` (claimed by the worker) when it died
    ready_after: float = 0.0  # the restarted worker said it was ready
    first_after: float | None = None  # its first message at the sink
    claims_settled_after: float | None = None  # no row claimed by the dead worker `sending`
    settled_after: float | None = None  # no row `pending` or `sending`
    watched: float = 0.0
    # After the kill, with subscribers untold, no message for longer than GAP_SECONDS:
    # (when, how long) in seconds after the kill.
    pauses: list[tuple[float, float]] = field(default_factory=list)
    restarted_sent: int = 0
    restarted_rate: float = 0.0
    outcome: Outcome = field(default_factory=Outcome)

    @property
    def states(self) -> Counter:
        return self.outcome.states

    @property
    def waiting(self) -> float:
        """The time lost to the kill: the pauses added up."""
        return sum(length for _, length in self.pauses)


def state_counts(notification) -> Counter:
    rows = (
        Delivery.objects.filter(notification=notification)
        .order_by()
        .values_list("state")
        .annotate(n=Count("id"))
    )
    return Counter(dict(rows))


def still_claimed(ids: set[int]) -> int:
    return Delivery.objects.filter(pk__in=ids, state="sending").count() if ids else 0


def watch(notification, claimed: set[int], sink, kill_at: float, drill: Drill) -> float:
    """Poll until every row is settled, or nothing has changed for `drill.patience` s; fill
    in the settling times; return when the watch ended."""
    prefix = notification_prefix(notification.pk)
    last_seen, last_change = None, time.time()
    while True:
        now = time.time()
        counts = state_counts(notification)
        if drill.claims_settled_after is None and not still_claimed(claimed):
            drill.claims_settled_after = now - kill_at
        seen = (sink.count(prefix), sorted(counts.items()))
        if seen != last_seen:
            last_seen, last_change = seen, now
        if not any(counts[state] for state in OPEN_STATES):
            drill.settled_after = now - kill_at
            return now
        if now - last_change > drill.patience:
            return now
        time.sleep(POLL_SECONDS)


def pauses(arrivals: list[float], start: float, end: float) -> list[tuple[float, float]]:
    """The pauses longer than GAP_SECONDS between `start`, the arrivals and `end`: (when, how
    long), in seconds after `start`."""
    points = [start, *(t for t in arrivals if start < t < end), end]
    return [(a - start, b - a) for a, b in itertools.pairwise(points) if b - a > GAP_SECONDS]


def sending_rate(arrivals: list[float]) -> float:
    """Messages per second while messages were going out (pauses longer than GAP_SECONDS left
    out)."""
    if len(arrivals) < 2:
        return 0.0
    paused = sum(length for _, length in pauses(arrivals, arrivals[0], arrivals[-1]))
    sending = arrivals[-1] - arrivals[0] - paused
    return (len(arrivals) - 1) / sending if sending > 0 else 0.0


def outcome(notification, sink) -> Outcome:
    """Each row's state against the messages of its key at the sink."""
    prefix = notification_prefix(notification.pk)
    received = sink.counts(prefix)
    result = Outcome()
    rows = Delivery.objects.filter(notification=notification).values_list("subscriber_id", "state")
    for subscriber_id, state in rows.iterator(chunk_size=5000):
        messages = received.get(f"{prefix}{subscriber_id}", 0)
        result.states[state] += 1
        result.not_received += not messages
        result.sent_not_received += state == "sent" and not messages
        result.unknown_delivered += state == "unknown" and bool(messages)
    result.duplicates = sum(count - 1 for count in received.values() if count > 1)
    return result


def crash_drill(harness, sink, incident, args) -> Drill:
    """Announce to the big audience, kill the worker `args.kill_after` s after the first
    message, start it again, and watch until everything is settled."""
    drill = Drill(audience=args.subscribers, processes=args.concurrency, patience=args.patience)
    notification, _ = publish_update(incident, BODY)
    prefix = notification_prefix(notification.pk)
    first = wait(lambda: sink.first(prefix), "the drill's first message", 120, 0.05)
    time.sleep(max(0.0, first + args.kill_after - time.time()))
    kill_at = harness.kill_worker()
    claimed = set(
        Delivery.objects.filter(notification=notification, state="sending").values_list(
            "id", flat=True
        )
    )
    print(f"  killed the worker {time.time() - first:.1f} s into the sending", flush=True)
    drill.claimed_at_kill = len(claimed)
    drill.ready_after = harness.restart_worker(args.concurrency) - kill_at
    end = watch(notification, claimed, sink, kill_at, drill)
    time.sleep(1)  # anything still in flight lands now
    arrivals = sink.arrivals(prefix)
    drill.sent_before_kill = sum(1 for t in arrivals if t <= kill_at)
    after = [t for t in arrivals if t > kill_at + drill.ready_after]
    drill.first_after = after[0] - kill_at if after else None
    drill.restarted_sent = len(after)
    drill.restarted_rate = sending_rate(after)
    drill.watched = end - kill_at
    drill.pauses = pauses(arrivals, kill_at, end)
    drill.outcome = outcome(notification, sink)
    return drill
