"""The benchmark's figures as a table, judged against the targets, and its section of
docs/benchmarks.md (the newest runs first, a few kept to show run-to-run variation)."""

from dataclasses import dataclass, field
from pathlib import Path

from docs_section import Section, write_run
from measure import Load

DOCS = Path(__file__).resolve().parents[2] / "docs" / "benchmarks.md"
BEGIN, END, RUN = "<!-- bench/page:begin -->", "<!-- bench/page:end -->", "<!-- bench/page:run -->"
KEPT_RUNS = 4

# The targets of the issue "speed under surge".
NGINX_SHARE_OF_STATIC = 0.75
P99_MS = 50.0
GUNICORN_RPS = 3000.0
RENDER_MS = 20.0
# Other processes using more CPU than this during a load make its figures suspect.
BUSY_CPU = 0.2

INTRO = f"""\
## The public page under surge (`bench/page`)

`bench/page/run` builds a throwaway Noroshi. It uses SQLite and the file cache unless
`DATABASE_URL` / `REDIS_URL` are set, then migrates, runs `seed_demo` and `collectstatic`. It
starts gunicorn and a private nginx running the shipped
[`deploy/nginx/noroshi.conf`](../deploy/nginx/noroshi.conf), with only the `site:` lines
rewritten to the benchmark's ports and paths. In the same nginx, a second server sends the same
bytes of each URL as a static file (and a `.gz` with `gzip_static`): the ceiling, measured in
the same run. wrk (2 threads, `Accept-Language: en-US,en;q=0.9`, no compression unless the row
says gzip) loads each URL for the time shown, after a warm-up. The shipped config and its static
reference take turns in A B B A order, half the time each turn, so that a drift in the machine's
speed does not bend their ratio: their req/s is the mean of the two halves, p50 the mean, p99
the worse half, and "others used" the busier half. Everything runs on this one
machine, so wrk takes a share of the same cores, and each load reports the CPU that other
processes took meanwhile. The uncached render is `django.test.Client` in-process, with the cache
missed each time (`mark_page_changed()` before each request): the server time of one render,
middleware included. See [bench/page/README.md](../bench/page/README.md).

Targets: through the shipped config, ≥ {NGINX_SHARE_OF_STATIC:.0%} of the static file's req/s
at 1,000 connections with p99 ≤ {P99_MS:.0f} ms; gunicorn alone (cached), ≥
{GUNICORN_RPS:,.0f} req/s at 50 connections with p99 ≤ {P99_MS:.0f} ms; an uncached render,
≤ {RENDER_MS:.0f} ms of server time (median; p95 shown beside it). A load with errors (non-2xx
answers or socket errors) does not meet its target. The gzip rows are held to the same bar for
information.
"""


@dataclass
class UrlResult:
    url: str
    unavailable: str = ""
    nginx: Load | None = None
    nginx_gzip: Load | None = None
    static: Load | None = None
    static_gzip: Load | None = None
    gunicorn: Load | None = None
    timing: dict = field(default_factory=dict)


@dataclass
class Run:
    when: str
    command: str
    machine: str
    versions: str
    backends: str
    gunicorn: str
    seconds: float
    connections: int
    gunicorn_connections: int
    results: list[UrlResult]
    notes: list[str] = field(default_factory=list)


def verdict(ok: bool) -> str:
    return "**met**" if ok else "**NOT met**"


def others(load: Load) -> str:
    return "" if load.other_cpu is None else f"; others used {load.other_cpu:.2f} CPU"


def load_cells(load: Load) -> str:
    errors = f"{load.errors:,}" if load.errors else "0"
    return f"{load.requests_per_second:,.0f} | {load.p50_ms:.2f} | {load.p99_ms:.2f} | {errors}"


def nginx_row(run: Run, url: str, load: Load, static: Load, what: str) -> tuple[str, bool]:
    share = load.requests_per_second / static.requests_per_second
    ok = share >= NGINX_SHARE_OF_STATIC and load.p99_ms <= P99_MS and not load.errors
    upstream = (
        f"; gunicorn asked {load.upstream_requests}×" if load.upstream_requests is not None else ""
    )
    cells = (
        f"| `{url}` | {what} | {run.connections:,} | {load_cells(load)} | "
        f"**{share:.1%}** of static{upstream}{others(load)} | ≥ {NGINX_SHARE_OF_STATIC:.0%}, "
        f"p99 ≤ {P99_MS:.0f} | {verdict(ok)} |"
    )
    return cells, ok


def gunicorn_row(run: Run, result: UrlResult) -> tuple[str, bool]:
    load = result.gunicorn
    assert load is not None
    ok = load.requests_per_second >= GUNICORN_RPS and load.p99_ms <= P99_MS and not load.errors
    cells = (
        f"| `{result.url}` | gunicorn alone, cached | {run.gunicorn_connections} | "
        f"{load_cells(load)} | `{run.gunicorn}`{others(load)} | "
        f"≥ {GUNICORN_RPS:,.0f}, p99 ≤ {P99_MS:.0f} | {verdict(ok)} |"
    )
    return cells, ok


def render_row(result: UrlResult) -> tuple[str, bool]:
    timing = result.timing
    if timing.get("status") != 200:
        status = timing.get("status")
        return f"| `{result.url}` | uncached render | — | HTTP {status} |||||| |", False
    uncached, cached = timing["uncached"], timing["cached"]
    ok = uncached["median_ms"] <= RENDER_MS
    cells = (
        f"| `{result.url}` | uncached render (server time) | 1 | — | "
        f"{uncached['median_ms']:.1f} | p95 {uncached['p95_ms']:.1f} | — | "
        f"{timing['queries']} queries, n={uncached['n']}; a cached answer "
        f"{cached['median_ms']:.2f} ms in-process | ≤ {RENDER_MS:.0f} ms | {verdict(ok)} |"
    )
    return cells, ok


def info_row(result: UrlResult, what: str, load: Load | None, connections: int, note: str) -> str:
    if load is None:
        return ""
    return (
        f"| `{result.url}` | {what} | {connections:,} | {load_cells(load)} | "
        f"{note}{others(load)} | | |"
    )


HEADER = (
    "| URL | served by | conns | req/s | p50 ms | p99 ms | errors | notes | target | |\n"
    "|---|---|--:|--:|--:|--:|--:|---|---|---|"
)


def url_rows(run: Run, result: UrlResult) -> tuple[list[str], list[str]]:
    url, rows, verdicts = result.url, [], []
    assert result.nginx is not None and result.static is not None
    judged = [
        (
            "nginx ≥ 75% of static, p99 ≤ 50 ms",
            nginx_row(run, url, result.nginx, result.static, "through `noroshi.conf`"),
        ),
    ]
    rows.append(judged[0][1][0])
    rows.append(info_row(result, "static file", result.static, run.connections, "the reference"))
    if result.nginx_gzip and result.static_gzip:
        row, ok = nginx_row(
            run, url, result.nginx_gzip, result.static_gzip, "through `noroshi.conf`, gzip"
        )
        rows.append(row)
        verdicts.append(f"`{url}` with gzip (information, same bar): {'met' if ok else 'NOT met'}")
        rows.append(
            info_row(
                result,
                "static file, .gz",
                result.static_gzip,
                run.connections,
                "the reference (`gzip_static`)",
            )
        )
    judged += [
        ("gunicorn ≥ 3,000 req/s, p99 ≤ 50 ms", gunicorn_row(run, result)),
        ("uncached render ≤ 20 ms", render_row(result)),
    ]
    rows += [row for _, (row, _) in judged[1:]]
    verdicts = [f"`{url}` {name}: {'met' if ok else 'NOT met'}" for name, (_, ok) in judged] + (
        verdicts
    )
    return rows, verdicts


def table(run: Run) -> tuple[str, list[str]]:
    """The markdown table of a run, and the verdict lines."""
    rows, verdicts = [HEADER], []
    for result in run.results:
        if result.unavailable:
            rows.append(f"| `{result.url}` | not available: {result.unavailable} |||||||||")
            verdicts.append(f"`{result.url}`: not available ({result.unavailable}), not measured")
            continue
        more_rows, more_verdicts = url_rows(run, result)
        rows += more_rows
        verdicts += more_verdicts
    return "\n".join(row for row in rows if row), verdicts


def busy_warning(run: Run) -> str:
    loads = [
        load
        for result in run.results
        for load in (
            result.nginx,
            result.static,
            result.nginx_gzip,
            result.static_gzip,
            result.gunicorn,
        )
        if load is not None
    ]
    busiest = max((load.other_cpu or 0.0 for load in loads), default=0.0)
    if busiest < BUSY_CPU:
        return ""
    return (
        f"- **The machine was not quiet**: other processes used up to {busiest:.2f} CPU during "
        "a load, taking it from the processes measured; those figures are low.\n"
    )


def markdown(run: Run) -> str:
    body, verdicts = table(run)
    notes = "".join(f"- {note}\n" for note in run.notes)
    return (
        f"### Run of {run.when}\n\n"
        f"- machine: {run.machine}\n- versions: {run.versions}\n- backends: {run.backends}\n"
        f"- command: `{run.command}` ({run.seconds:g} s per load, after a warm-up)\n"
        f"{notes}{busy_warning(run)}\n{body}\n\n" + "".join(f"- {line}\n" for line in verdicts)
    )


def write_docs(run: Run) -> Path:
    """Put this run first in the bench/page section of docs/benchmarks.md, keeping the last few."""
    return write_run(Section(BEGIN, END, RUN, INTRO, KEPT_RUNS), markdown(run), DOCS)
