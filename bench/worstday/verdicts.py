"""The worst day's figures judged against the targets of issue 10, item 10: a table of the page
turns, a table of targets (met / NOT met), and the section in docs/benchmarks.md (the newest
runs first, a few kept)."""

import math
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from drill import GAP_SECONDS, Drill, Outcome
from measure import Rate, percentile
from page_turns import Turn
from report import verdict
from stack import page_module
from visibility import Sample

page_measure = page_module("measure")
docs_section = page_module("docs_section")

DOCS = Path(__file__).resolve().parents[2] / "docs" / "benchmarks.md"
BEGIN = "<!-- bench/worstday:begin -->"
END = "<!-- bench/worstday:end -->"
RUN = "<!-- bench/worstday:run -->"
KEPT_RUNS = 4

URLS = ("/", "/api/v2/summary.json")
# The targets of issue 10, item 10.
SHARE_OF_IDLE = 0.80
P99_MS = 100.0
VISIBLE_P50 = 2.0
VISIBLE_MAX = 5.0
TAKEOVER_SECONDS = 10.0
SHARE_OF_REFERENCE = 0.85
# Other processes using more CPU than this during a turn make its figures suspect.
BUSY_CPU = 0.2

INTRO = f"""\
## The worst day (`bench/worstday`)

`bench/worstday/run` puts everything of an outage on this one machine at once, in one run:
PostgreSQL and Redis (a database and a database number of its own), the demo page
(`seed_demo`) and 100,000 e-mail subscribers, gunicorn (`--workers 2`) behind a private nginx
running the shipped [`deploy/nginx/noroshi.conf`](../deploy/nginx/noroshi.conf) (as
bench/page renders it), a real Celery worker (`--concurrency 4`, niced to 19 as shipped) and
beat, each in a process of its own as the shipped systemd units run them, and bench/fanout's
SMTP sink (niced: it stands in for a mail server on another machine). The on-call
engineer is the benchmark itself, publishing through the services as the console does. It
measures:

- **the page during a fan-out**: wrk (2 threads, 1,000 connections, no compression) at `/` and
  at `/api/v2/summary.json` through nginx, in turns: idle turns before the announcement, busy
  turns while the worker sends it to the 100,000, idle turns after it has been sent — for each
  URL idle, busy, busy, idle, so that a drift in the machine's speed over the run weighs on
  both sides alike. req/s is the mean of a side's turns, p50 the mean, p99 the worse turn.
  A check row says whether the worker was sending during every busy turn;
- **publish → visible**: while both URLs are loaded in turn at 1,000 connections and the
  fan-out is still being sent, several updates with a status change, one at a time; after each
  commit a visitor polls `summary.json` through nginx (a new connection every 20 ms) until an
  answer shows it;
- **e-mail throughput**: the rest of that fan-out, once the page load has stopped, in messages
  per second at the sink, against bench/fanout's reference (raw `smtplib`, the same messages,
  the same sink, one connection) measured before and after it in the same run;
- **the crash drill**: a second announcement to the 100,000; a few seconds into its sending the
  worker's whole process group (not beat) is killed with SIGKILL and started again at once, and
  the run watches the delivery rows and the sink until every row is settled or nothing has
  changed for a while. It counts duplicates (messages per key at the sink), `unknown` rows,
  and anything else left open, failed, or recorded `sent` without a message; and the time lost
  to the kill: the pauses longer than {GAP_SECONDS:g} s, between the kill and the moment every
  row was settled, during which no message went out although some subscribers were still
  untold (the restart counts; the time the restarted worker spends sending the rest does not).
  The rows the dead worker had claimed (`sending` at the kill) are followed on their own.

Targets (issue 10): during the fan-out each URL keeps ≥ {SHARE_OF_IDLE:.0%} of its idle req/s,
p99 ≤ {P99_MS:.0f} ms and no errors (non-2xx, socket errors); publish → visible p50 ≤
{VISIBLE_P50:g} s and max ≤ {VISIBLE_MAX:g} s; crash drill: no duplicate, at most one `unknown`
per killed pool process, nothing else left for an operator, and subscribers told by the
restarted worker within {TAKEOVER_SECONDS:g} s of the kill (read as: the time lost to the kill
and the dead worker's claims settled within {TAKEOVER_SECONDS:g} s); e-mail with per-message
state ≥ {SHARE_OF_REFERENCE:.0%} of the reference. Every process shares the same 2 cores, and
each turn notes the CPU other processes took. See
[bench/worstday/README.md](../bench/worstday/README.md).
"""


@dataclass
class Figures:
    subscribers: int = 0
    concurrency: int = 0
    connections: int = 0
    turn_seconds: float = 0.0
    turns: list[Turn] = field(default_factory=list)
    last_sent_at: float = 0.0  # the fan-out's last message at the sink
    samples: list[Sample] = field(default_factory=list)
    probe_load: "page_measure.Load | None" = None
    send: Rate | None = None
    stretch: Rate | None = None
    stretch_other_cpu: float = 0.0  # CPU other processes took during the stretch
    reference_turns: tuple[float, float] = (0.0, 0.0)
    fan_out: Outcome | None = None
    drill: Drill | None = None
    when: str = ""
    machine: str = ""
    versions: str = ""
    command: str = ""
    load: str = ""
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    # What the worker's log says its sweep did, per part of the run (for reading only).
    sweeps: dict[str, dict[str, int]] = field(default_factory=dict)


Row = tuple[str, str, str, bool | None]


def side(turns: list[Turn], url: str, kind: str):
    loads = [turn.load for turn in turns if turn.url == url and turn.kind == kind]
    return page_measure.combine(loads) if loads else None


def busy_check_row(f: Figures) -> Row:
    busy = [turn for turn in f.turns if turn.kind == "busy"]
    inside = all(turn.sent_during and turn.ended <= f.last_sent_at for turn in busy)
    rates = ", ".join(f"{turn.sent_during / turn.seconds:,.0f}" for turn in busy)
    return (
        "the fan-out was being sent during every busy turn (e-mails/s at the sink, per turn)",
        "yes",
        f"{'yes' if inside else 'no'} ({rates})",
        inside,
    )


def page_rows(f: Figures) -> list[Row]:
    rows = [busy_check_row(f)]
    for url in URLS:
        idle, busy = side(f.turns, url, "idle"), side(f.turns, url, "busy")
        if idle is None or busy is None:
            continue
        share = busy.requests_per_second / idle.requests_per_second
        rows += [
            (
                f"`{url}` through nginx during the fan-out, {f.connections:,} connections: "
                "req/s against idle",
                f"≥ {SHARE_OF_IDLE:.0%}",
                f"**{share:.1%}**: {busy.requests_per_second:,.0f} against "
                f"{idle.requests_per_second:,.0f} req/s",
                share >= SHARE_OF_IDLE,
            ),
            (
                f"`{url}` during the fan-out: p99 (p50)",
                f"≤ {P99_MS:.0f} ms",
                f"{busy.p99_ms:.1f} ms ({busy.p50_ms:.1f}); idle {idle.p99_ms:.1f} ms "
                f"({idle.p50_ms:.1f})",
                busy.p99_ms <= P99_MS,
            ),
            (
                f"`{url}`: errors (non-2xx, socket errors), during the fan-out / idle",
                "0",
                f"{busy.errors:,} of {busy.requests:,} / {idle.errors:,} of {idle.requests:,}",
                busy.errors == 0 and idle.errors == 0,
            ),
        ]
    return rows


def seconds(value: float) -> str:
    return f"{value:.2f} s" if math.isfinite(value) else "not seen"


def visibility_rows(f: Figures) -> list[Row]:
    if not f.samples:
        return []
    # A publish never seen within the probe's timeout counts as infinitely slow.
    times = [math.inf if s.seconds is None else s.seconds for s in f.samples]
    loaded = sum(1 for s in f.samples if s.under_load)
    failed = sum(s.failed_polls for s in f.samples)
    p50, worst = statistics.median(times), max(times)
    listed = "; ".join(seconds(t) for t in times)
    listed += f"; {failed} of {sum(s.polls for s in f.samples)} polls failed" if failed else ""
    rows: list[Row] = [
        (
            f"publish → visible in `summary.json` through nginx, {len(f.samples)} publishes "
            f"({loaded} with the page load and the fan-out running throughout)",
            f"p50 ≤ {VISIBLE_P50:g} s",
            f"p50 {seconds(p50)}, p90 {seconds(percentile(times, 0.9))} ({listed})",
            p50 <= VISIBLE_P50,
        ),
        (
            "publish → visible: the slowest",
            f"≤ {VISIBLE_MAX:g} s",
            seconds(worst),
            worst <= VISIBLE_MAX,
        ),
    ]
    if f.probe_load is not None:
        load = f.probe_load
        rows.append(
            (
                "the load during the publishes: both URLs in turn through nginx",
                "(information)",
                f"{load.requests_per_second:,.0f} req/s, p99 {load.p99_ms:.1f} ms, "
                f"{load.errors:,} errors",
                None,
            )
        )
    return rows


def throughput_rows(f: Figures) -> list[Row]:
    reference = sum(f.reference_turns) / 2
    rows: list[Row] = []
    if f.send is not None:
        rows.append(
            (
                f"the fan-out, {f.send.messages:,} e-mails, first to last (the page load "
                "during its first part)",
                "(information)",
                f"{f.send.per_second:,.0f} /s over {f.send.seconds:.1f} s",
                None,
            )
        )
    stretch = f.stretch
    if stretch is None or stretch.messages < 2 or not reference:
        rows.append(
            (
                "e-mail with per-message state against raw smtplib",
                f"≥ {SHARE_OF_REFERENCE:.0%}",
                "not measured: the fan-out ended before the page load did",
                False,
            )
        )
        return rows
    share = stretch.per_second / reference
    rows.append(
        (
            f"e-mail with per-message state, the rest of the fan-out after the page load "
            f"({stretch.messages:,} messages, concurrency {f.concurrency}), against raw "
            "smtplib to the same sink",
            f"≥ {SHARE_OF_REFERENCE:.0%}",
            f"**{share:.0%}**: {stretch.per_second:,.0f} /s against {reference:,.0f} /s "
            f"(turns before/after: {f.reference_turns[0]:,.0f} / {f.reference_turns[1]:,.0f}); "
            f"others used {f.stretch_other_cpu:.2f} CPU meanwhile",
            share >= SHARE_OF_REFERENCE,
        )
    )
    return rows


def exactly_once_rows(f: Figures) -> list[Row]:
    if f.fan_out is None:
        return []
    o = f.fan_out
    not_sent = o.rows - o.states["sent"]
    return [
        (
            f"the fan-out under the page load: duplicates / lost / rows not `sent`, over "
            f"{o.rows:,} deliveries",
            "0 / 0 / 0",
            f"{o.duplicates} / {o.not_received} / {not_sent}",
            o.duplicates == 0 and o.not_received == 0 and not_sent == 0,
        )
    ]


def pause_list(d: Drill) -> str:
    """`at+length` for each pause, in seconds after the kill."""
    return ", ".join(f"{at:.1f}+{length:.1f}" for at, length in d.pauses)


def drill_rows(d: Drill) -> list[Row]:
    o = d.outcome
    undecided = o.states["unknown"] + o.states["sending"]
    left = o.states["pending"] + o.states["failed"] + o.sent_not_received
    settled = (
        f"{d.settled_after:.1f} s"
        if d.settled_after is not None
        else f"not settled: {o.states['pending'] + o.states['sending']:,} rows still open "
        "when the watch stopped, "
        f"{d.watched:.0f} s after the kill ({d.patience:g} s without a change)"
    )
    claims = (
        f"{d.claims_settled_after:.1f} s"
        if d.claims_settled_after is not None
        else f"still `sending` {d.watched:.0f} s after the kill"
    )
    lower_bound = "" if d.settled_after is not None else "≥ "
    return [
        (
            f"crash drill, {d.audience:,} subscribers: the worker killed (SIGKILL, whole group) "
            "while it was sending (messages at the sink before the kill)",
            f"< {d.audience:,}",
            f"{d.sent_before_kill:,}",
            d.sent_before_kill < d.audience,
        ),
        (
            "crash drill: duplicates at the sink",
            "0",
            str(o.duplicates),
            o.duplicates == 0,
        ),
        (
            "time lost to the kill: no message going out while some were untold (the "
            "restart included)",
            f"≤ {TAKEOVER_SECONDS:g} s",
            f"{lower_bound}{d.waiting:.1f} s"
            + (f" (pauses at +s: {pause_list(d)})" if d.pauses else ""),
            d.settled_after is not None and d.waiting <= TAKEOVER_SECONDS,
        ),
        (
            f"the {d.claimed_at_kill} rows the dead worker had claimed (`sending` at the "
            "kill): none `sending` any more",
            f"≤ {TAKEOVER_SECONDS:g} s after the kill",
            claims,
            d.claims_settled_after is not None and d.claims_settled_after <= TAKEOVER_SECONDS,
        ),
        (
            "`unknown`, or still `sending` at the end (to be settled by hand)",
            f"≤ {d.processes} (1 per killed pool process)",
            f"{o.states['unknown']} `unknown` ({o.unknown_delivered} of them delivered) + "
            f"{o.states['sending']} `sending`",
            undecided <= d.processes,
        ),
        (
            "anything else left for an operator: rows `pending` at the end, `failed`, `sent` "
            "without a message at the sink",
            "0",
            f"{o.states['pending']} / {o.states['failed']} / {o.sent_not_received}",
            left == 0,
        ),
        (
            "kill → every row settled (the restarted worker sending the rest)",
            "(information)",
            f"{settled}; worker ready again after {d.ready_after:.1f} s, its first message "
            f"after {'—' if d.first_after is None else f'{d.first_after:.1f}'} s; it sent "
            f"{d.restarted_sent:,} at {d.restarted_rate:,.0f} /s while sending",
            None,
        ),
    ]


def targets_table(f: Figures) -> str:
    rows = page_rows(f) + visibility_rows(f) + throughput_rows(f) + exactly_once_rows(f)
    rows += drill_rows(f.drill) if f.drill else []
    lines = ["| what | target | measured | |", "|---|---|---|---|"]
    lines += [
        f"| {what} | {target} | {got} | {'' if ok is None else verdict(ok)} |"
        for what, target, got, ok in rows
    ]
    return "\n".join(lines)


def turns_table(f: Figures) -> str:
    lines = [
        "| # | URL | turn | req/s | p50 ms | p99 ms | errors | gunicorn asked | "
        "e-mails/s sent | CPU: worker / sink / PostgreSQL+Redis | others' CPU |",
        "|--:|---|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for n, turn in enumerate(f.turns, 1):
        load = turn.load
        sent = f"{turn.sent_during / turn.seconds:,.0f}" if turn.kind == "busy" else "—"
        lines.append(
            f"| {n} | `{turn.url}` | {turn.kind} | {load.requests_per_second:,.0f} | "
            f"{load.p50_ms:.1f} | {load.p99_ms:.1f} | {load.errors:,} | "
            f"{load.upstream_requests}× | {sent} | "
            f"{' / '.join(f'{cpu:.2f}' for cpu in turn.sending_cpu)} | {load.other_cpu or 0:.2f} |"
        )
    return "\n".join(lines)


def busy_warning(f: Figures) -> str:
    busiest = max([turn.load.other_cpu or 0.0 for turn in f.turns] + [f.stretch_other_cpu])
    if busiest < BUSY_CPU:
        return ""
    return (
        f"- **The machine was not quiet**: other processes used up to {busiest:.2f} CPU during "
        "a turn or the throughput's stretch, taking it from the processes measured; those "
        "figures are low.\n"
    )


def markdown(f: Figures) -> str:
    facts = [
        f"machine: {f.machine}",
        f"versions: {f.versions}",
        f"command: `{f.command}`",
        f.load,
        f"{f.subscribers:,} subscribers, worker concurrency {f.concurrency}, {f.turn_seconds:g} s "
        f"per turn after a warm-up; whole run {f.seconds:.0f} s",
        *f.notes,
        *(
            f"the worker's sweep (its log), {part}: ran {n['ran']}×, {n['expired']}× expired "
            f"in the queue unrun; re-queued {n['requeued']:,} ids, made {n['unknown']} `unknown`"
            for part, n in f.sweeps.items()
        ),
    ]
    bullets = "".join(f"- {fact}\n" for fact in facts)
    return (
        f"### Run of {f.when}\n\n{bullets}{busy_warning(f)}\n"
        f"{turns_table(f)}\n\n{targets_table(f)}\n"
    )


SECTION = docs_section.Section(BEGIN, END, RUN, INTRO, KEPT_RUNS)


def write_docs(f: Figures) -> Path:
    """Put this run first in the bench/worstday section of docs/benchmarks.md (the last few
    are kept; the rest of the file is left as it is)."""
    return docs_section.write_run(SECTION, markdown(f), DOCS)
