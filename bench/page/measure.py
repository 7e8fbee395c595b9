"""Load with wrk and read its figures: requests per second and the latency distribution."""

import re
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


def wrk(
    url: str,
    *,
    connections: int,
    seconds: float,
    threads: int = 2,
    headers: dict[str, str] | None = None,
) -> Load:
    """Run wrk against `url` (always a 127.0.0.1 address) and return its figures."""
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError(f"the benchmark only loads 127.0.0.1, not {url}")
    args = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds:g}s",
        "--latency",
        "--timeout",
        "5s",
    ]
    for name, value in {**BROWSER_HEADERS, **(headers or {})}.items():
        args += ["-H", f"{name}: {value}"]
    result = subprocess.run(
        [*args, url], capture_output=True, text=True, timeout=seconds + 30, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"wrk failed ({result.returncode}): {result.stderr}{result.stdout}")
    return parse_wrk(result.stdout)
