"""Visitors: wrk at the public page through the shipped nginx, in turns, each turn with the CPU
that other processes took meanwhile and the requests that reached gunicorn; and a background
load of both URLs in turn, for as long as something else is being measured under it.
"""

import math
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from cpu_use import OtherCpu, helper_seconds
from stack import page_module

page_measure = page_module("measure")
other_load = page_module("other_load")
Load = page_measure.Load

# Both URLs in turn on every connection: the visitors of a page under an outage reload the
# page and the widgets read its JSON.
MIXED_SCRIPT = """\
-- bench/worstday: the public page and its JSON in turn.
local paths = {"/", "/api/v2/summary.json"}
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, paths[n % 2 + 1])
end
"""


@dataclass
class Turn:
    """One measured load of one URL: idle (no fan-out) or busy (a fan-out being sent)."""

    url: str
    kind: str
    load: "page_measure.Load"
    started: float
    ended: float
    # Messages of the fan-out that reached the sink during the turn (busy turns).
    sent_during: int = 0
    # CPUs the sending took meanwhile: the worker (main process and pool), the sink (it stands
    # in for a mail server that would be on another machine), PostgreSQL and Redis.
    sending_cpu: tuple[float, float, float] = (0.0, 0.0, 0.0)

    @property
    def seconds(self) -> float:
        return self.ended - self.started


class SendingCpu:
    """The CPUs the sending's processes took between begin() and end()."""

    def __init__(self, harness) -> None:
        self.harness = harness
        self.started = 0.0
        self.before = (0.0, 0.0, 0.0)

    def now(self) -> tuple[float, float, float]:
        harness = self.harness
        worker = {harness.worker.pid} if harness.worker else set()
        return (
            other_load.session_seconds(worker),
            other_load.session_seconds({harness.sink.pid}),
            helper_seconds(harness.database_name),
        )

    def begin(self) -> None:
        self.before, self.started = self.now(), time.monotonic()

    def end(self) -> tuple[float, float, float]:
        elapsed = time.monotonic() - self.started
        after = self.now()
        worker, sink, services = (
            max(0.0, b - a) / elapsed for a, b in zip(self.before, after, strict=True)
        )
        return worker, sink, services


class Visitors:
    """The page's visitors: `connections` wrk connections through nginx."""

    def __init__(self, harness, *, connections: int, seconds: float, warmup: float) -> None:
        self.harness, self.connections = harness, connections
        self.seconds, self.warmup = seconds, warmup

    def turn(self, url: str, kind: str) -> Turn:
        """Warm up, then load `url` for one turn."""
        address = self.harness.nginx_url(url)
        if self.warmup:
            page_measure.wrk(address, connections=self.connections, seconds=self.warmup)
        others = OtherCpu(self.harness.sessions(), self.harness.database_name)
        sending = SendingCpu(self.harness)
        offset = self.harness.web.upstream_log_size()
        others.begin()
        sending.begin()
        started = time.time()
        load = page_measure.wrk(address, connections=self.connections, seconds=self.seconds)
        ended = time.time()
        load.other_cpu = others.end()
        sending_cpu = sending.end()
        load.upstream_requests = self.harness.web.upstream_requests_since(offset)
        print(
            f"  {kind} turn, {url}: {load.requests_per_second:,.0f} req/s, "
            f"p99 {load.p99_ms:.1f} ms, {load.errors} errors, others {load.other_cpu:.2f} CPU",
            flush=True,
        )
        return Turn(url, kind, load, started, ended, sending_cpu=sending_cpu)


class BackgroundLoad:
    """Both URLs in turn at `connections`, from start() until stop() (at most `limit` s)."""

    def __init__(self, harness, *, connections: int, limit: float) -> None:
        self.harness, self.connections, self.limit = harness, connections, limit
        self.process: subprocess.Popen | None = None
        self.started = self.ended = 0.0
        self.load: Load | None = None

    def __enter__(self) -> "BackgroundLoad":
        script = Path(self.harness.work) / "mixed.lua"
        script.write_text(MIXED_SCRIPT)
        command = page_measure.wrk_command(
            self.harness.nginx_url("/"),
            connections=self.connections,
            seconds=math.ceil(self.limit),  # wrk takes whole seconds
            script=str(script),
        )
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        self.started = time.time()
        time.sleep(1)  # every connection open before anything is measured under it
        return self

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def __exit__(self, *exc) -> None:
        """Stop wrk (SIGINT: it prints its figures) and read them."""
        process = self.process
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        self.ended = time.time()
        try:
            output, _ = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            return
        if exc[0] is None:
            self.load = page_measure.parse_wrk(output)
