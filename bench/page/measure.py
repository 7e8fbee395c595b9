"""Load with wrk and read its figures: requests per second and the latency distribution."""

import re
import statistics
import subprocess
from dataclasses import dataclass, field

# What a browser sends: it exercises nginx's language map and Django's Accept-Language parsing.
BROWSER_HEADERS = {"Accept-Language": "en-US,en;q=0.9"}
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass
class Load:
    """One wrk run's figures."""

    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx: int = 0
    socket_errors: dict[str, int] = field(default_factory=dict)
    upstream_requests: int | None = None
    other_cpu: float | None = None

    @property
    def errors(self) -> int:
        return self.non_2xx + sum(self.socket_errors.values())


def duration_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not match:
        raise ValueError(f"unreadable wrk duration {text!r}")
    return float(match.group(1)) * UNITS[match.group(2)]


def parse_wrk(output: str) -> Load:
    def grab(pattern: str) -> str:
        match = re.search(pattern, output, re.MULTILINE)
        if not match:
            raise ValueError(f"wrk output lacks {pattern!r}:\n{output}")
        return match.group(1)

    socket_errors = {}
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if errors:
        names = ("connect", "read", "write", "timeout")
        socket_errors = {
            name: int(value) for name, value in zip(names, errors.groups(), strict=True)
        }
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return Load(
        requests_per_second=float(grab(r"^Requests/sec:\s+([\d.]+)")),
        p50_ms=duration_ms(grab(r"^\s+50%\s+(\S+)")),
        p99_ms=duration_ms(grab(r"^\s+99%\s+(\S+)")),
        requests=int(grab(r"^\s+(\d+) requests in")),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=socket_errors,
    )


def wrk_command(
    url: str,
    *,
    connections: int,
    seconds: float,
    threads: int = 2,
    headers: dict[str, str] | None = None,
    script: str = "",
) -> list[str]:
    """wrk's command line for `url` (always a 127.0.0.1 address), with a Lua `script` if given."""
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError(f"the benchmark only loads 127.0.0.1, not {url}")
    args = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--latency"]
    args += ["--timeout", "5s", *(["-s", script] if script else [])]
    for name, value in {**BROWSER_HEADERS, **(headers or {})}.items():
        args += ["-H", f"{name}: {value}"]
    return [*args, url]


def wrk(
    url: str,
    *,
    connections: int,
    seconds: float,
    threads: int = 2,
    headers: dict[str, str] | None = None,
) -> Load:
    """Run wrk against `url` (always a 127.0.0.1 address) and return its figures."""
    args = wrk_command(
        url, connections=connections, seconds=seconds, threads=threads, headers=headers
    )
    result = subprocess.run(args, capture_output=True, text=True, timeout=seconds + 30, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"wrk failed ({result.returncode}): {result.stderr}{result.stdout}")
    return parse_wrk(result.stdout)


def combine(loads: list[Load]) -> Load:
    """One figure for loads of equal length: total rate, mean p50, the worst p99."""
    socket_errors: dict[str, int] = {}
    for load in loads:
        for name, count in load.socket_errors.items():
            socket_errors[name] = socket_errors.get(name, 0) + count
    upstream = [load.upstream_requests for load in loads if load.upstream_requests is not None]
    return Load(
        requests_per_second=statistics.fmean(load.requests_per_second for load in loads),
        p50_ms=statistics.fmean(load.p50_ms for load in loads),
        p99_ms=max(load.p99_ms for load in loads),
        requests=sum(load.requests for load in loads),
        non_2xx=sum(load.non_2xx for load in loads),
        socket_errors=socket_errors,
        upstream_requests=sum(upstream) if upstream else None,
        other_cpu=max(load.other_cpu or 0.0 for load in loads),
    )
