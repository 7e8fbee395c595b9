"""The first-visit figures as markdown: the budgets judged, first paint beside the previous
release's, what each request of the worst case costs, and the section of docs/benchmarks.md."""

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parents[1] / "page"))

from docs_section import DOCS, Section, write_run
from report import verdict
from visit import Series

BEGIN, END = "<!-- bench/firstvisit:begin -->", "<!-- bench/firstvisit:end -->"
RUN = "<!-- bench/firstvisit:run -->"
PAGE_BEGIN, PAGE_RUN = "<!-- bench/page:begin -->", "<!-- bench/page:run -->"

# The budget of issue 14 item 11, in bytes as Chromium counts them (1 KB = 1,000 bytes: the
# stricter reading).
MAX_BYTES = 20_000
MAX_REQUESTS = 6

SCENARIOS = {
    "quiet": "nothing active",
    "incident": "an incident active",
    "branded": "incident + logo + brand colour",
}

INTRO = f"""\
## The first visit (`bench/firstvisit`)

`bench/firstvisit/run` starts this checkout and the previous release side by side, each as
`bench/page` runs Noroshi: gunicorn behind the shipped
[`deploy/nginx/noroshi.conf`](../deploy/nginx/noroshi.conf) (pages gzipped by its compressing
hop and cached for 1 s, static files from disk with WhiteNoise's `.gz` files), `DEBUG=false`,
SQLite and the file cache in a throwaway directory, the demo seeded. Each scenario is set
through the services (nothing active; an incident declared, so that the page is live;
that incident plus an SVG logo and a brand colour). Debian's headless Chromium then opens `/`
in a new browser context each time (empty cache, no cookies, 1280×800), in English and in
Japanese, the releases taking turns. Bytes are Chromium's count of what came over the network
(response headers plus the body as sent); a visit ends when the network has been idle for
500 ms after `load`. First contentful paint comes from the Performance API (median of the
runs, range beside it); render-blocking resources from Chromium's `renderBlockingStatus`, and
blocking scripts from the `<head>` (a classic script without `defer`/`async`). See
[bench/firstvisit/README.md](../bench/firstvisit/README.md).

Budget: a first visit to `/` transfers at most {MAX_BYTES:,} bytes in at most {MAX_REQUESTS}
requests, with no render-blocking script (stylesheets block rendering by nature and are
listed). The largest visit of each series is judged. All on one machine over 127.0.0.1, so
first paint measures the browser and the server's CPU, not a network.
"""


@dataclass
class Run:
    when: str
    command: str
    machine: str
    versions: str
    releases: list[str]  # the labels of the series: this release first
    commits: list[str]
    runs: int
    load_before: str
    load_after: str
    series: list[Series]
    notes: list[str] = field(default_factory=list)


def judged(series: Series) -> tuple[bool, bool, bool]:
    blocking = any(visit.blocking_scripts for visit in series.visits)
    return series.most_requests <= MAX_REQUESTS, series.most_transferred <= MAX_BYTES, not blocking


def budget_table(run: Run, release: str) -> tuple[str, list[str]]:
    rows = [
        "| scenario | lang | requests (≤ 6) | bytes (≤ 20,000) | render-blocking scripts "
        "| render-blocking (Chromium) | budget |",
        "|---|---|--:|--:|---|---|---|",
    ]
    failures = []
    for series in (s for s in run.series if s.release == release):
        requests_ok, bytes_ok, scripts_ok = judged(series)
        ok = requests_ok and bytes_ok and scripts_ok
        scripts = sorted({p for visit in series.visits for p in visit.blocking_scripts})
        rows.append(
            f"| {SCENARIOS[series.scenario]} | {series.language} | {series.most_requests} | "
            f"{series.most_transferred:,} | {', '.join(scripts) or 'none'} | "
            f"{', '.join(f'`{p}`' for p in series.last.blocking) or 'none'} | {verdict(ok)} |"
        )
        if not ok:
            what = [
                *([f"{series.most_requests} requests"] if not requests_ok else []),
                *([f"{series.most_transferred:,} bytes"] if not bytes_ok else []),
                *([f"blocking scripts {', '.join(scripts)}"] if not scripts_ok else []),
            ]
            failures.append(f"{SCENARIOS[series.scenario]}, {series.language}: {'; '.join(what)}")
    return "\n".join(rows), failures


def paint(series: Series | None) -> str:
    if series is None or series.fcp_ms is None:
        return "—"
    low, high = series.fcp_range or (0, 0)
    return f"{series.fcp_ms:.0f} ({low:.0f}–{high:.0f})"


def comparison_table(run: Run) -> str:
    current, previous = run.releases[0], run.releases[-1]
    by_key = {(s.release, s.scenario, s.language): s for s in run.series}
    rows = [
        "| scenario | lang | FCP ms now (range) | FCP ms previous (range) | ratio now/prev "
        "| requests now / prev "
        "| bytes now / prev |",
        "|---|---|--:|--:|--:|--:|--:|",
    ]
    for series in (s for s in run.series if s.release == current):
        before = by_key.get((previous, series.scenario, series.language))
        if before is not None and before.fcp_ms and series.fcp_ms:
            ratio = f"{series.fcp_ms / before.fcp_ms:.2f}"
        else:
            ratio = "—"
        rows.append(
            f"| {SCENARIOS[series.scenario]} | {series.language} | {paint(series)} | "
            f"{paint(before)} | {ratio} | {series.most_requests} / "
            f"{before.most_requests if before else '—'} | {series.most_transferred:,} / "
            f"{f'{before.most_transferred:,}' if before else '—'} |"
        )
    return "\n".join(rows)


def costs_table(run: Run, release: str, scenario: str) -> str:
    """What each request of `scenario` (the last visits of `release`) costs, per language."""
    visits = {
        s.language: s.last for s in run.series if s.release == release and s.scenario == scenario
    }
    if not visits:
        return ""
    languages = sorted(visits)
    rows = [
        f"| request | type | encoding | {' | '.join(f'bytes ({lang})' for lang in languages)} |",
        f"|---|---|---|{'--:|' * len(languages)}",
    ]
    first = visits[languages[0]]
    for item in first.fetched:
        cells = []
        for lang in languages:
            match = next((f for f in visits[lang].fetched if f.path == item.path), None)
            cells.append(f"{match.transferred:,} ({match.header_bytes} headers)" if match else "—")
        rows.append(
            f"| `{item.path}` | {item.kind} | {item.encoding or 'none'} | {' | '.join(cells)} |"
        )
    totals = " | ".join(f"**{visits[lang].transferred:,}**" for lang in languages)
    rows.append(f"| all ({first.requests} requests) | | | {totals} |")
    return "\n".join(rows)


def previous_costs(run: Run) -> str:
    if len(run.releases) < 2:
        return ""
    table = costs_table(run, run.releases[-1], "incident")
    return f"#### The same for the previous release ({SCENARIOS['incident']})\n\n{table}\n\n"


def latest_page_verdicts(docs: Path = DOCS) -> str:
    """bench/page's newest recorded run and its verdicts (not measured by this benchmark)."""
    text = docs.read_text() if docs.exists() else ""
    start = text.find(PAGE_BEGIN)
    runs = text[start:].split(PAGE_RUN)[1:] if start >= 0 else []
    if not runs:
        return "no bench/page run is recorded in docs/benchmarks.md"
    newest = runs[0]
    when = re.search(r"### Run of (.+)", newest)
    verdicts = re.findall(r"^- (`[^`]+` [^\n]*?: (?:met|NOT met))$", newest, re.MULTILINE)
    verdicts = [line for line in verdicts if "(information" not in line]
    missed = [line for line in verdicts if line.endswith("NOT met")]
    summary = f"{len(verdicts) - len(missed)} of {len(verdicts)} verdicts met"
    if missed:
        summary += "; not met: " + "; ".join(missed)
    return f"its newest run ({when.group(1) if when else 'undated'}): {summary}"


def markdown(run: Run) -> str:
    current = run.releases[0]
    budgets, failures = budget_table(run, current)
    worst = "branded" if any(s.scenario == "branded" for s in run.series) else "incident"
    verdicts = [
        "every first visit within the budget"
        if not failures
        else "budget **NOT met**: " + " · ".join(failures),
        "bench/page's targets are measured by `bench/page/run`, not here; "
        + latest_page_verdicts(),
    ]
    notes = "".join(f"- {note}\n" for note in run.notes)
    pairs = zip(run.releases, run.commits, strict=True)
    releases = "; ".join(f"{label}: `{commit}`" for label, commit in pairs)
    return (
        f"### Run of {run.when}\n\n"
        f"- machine: {run.machine}\n- versions: {run.versions}\n"
        f"- releases: {releases}\n"
        f"- command: `{run.command}` ({run.runs} visits per release, scenario and language)\n"
        f"- load average (1, 5, 15 min): {run.load_before} before, {run.load_after} after\n"
        f"{notes}\n#### Budget (this release)\n\n{budgets}\n\n"
        f"#### First contentful paint beside the previous release\n\n{comparison_table(run)}\n\n"
        f"#### What each request costs ({SCENARIOS[worst]}, this release)\n\n"
        f"{costs_table(run, current, worst)}\n\n{previous_costs(run)}"
        + "".join(f"- {line}\n" for line in verdicts)
    )


def write_docs(run: Run) -> Path:
    """Put this run first in the bench/firstvisit section of docs/benchmarks.md."""
    return write_run(Section(BEGIN, END, RUN, INTRO), markdown(run), DOCS)
