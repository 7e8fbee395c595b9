"""The benchmark's figures as a table judged against the targets of issue 4, and its section of
docs/benchmarks.md (the newest runs first, a few kept to show run-to-run variation)."""

import os
import platform
import re
from dataclasses import dataclass, field
from pathlib import Path

from measure import Rate, median, percentile
from stack import page_module

docs_section = page_module("docs_section")

DOCS = Path(__file__).resolve().parents[2] / "docs" / "benchmarks.md"
BEGIN = "<!-- bench/fanout:begin -->"
END = "<!-- bench/fanout:end -->"
RUN = "<!-- bench/fanout:run -->"
KEPT_RUNS = 4

# The targets of issue 4, item 7.
FAN_OUT_SECONDS = 2.0
FIRST_MESSAGE_SECONDS = 0.5
MESSAGES_PER_SECOND = 800.0
SHARE_OF_REFERENCE = 0.70
SMS_TOLERANCE = 0.05
# Other processes using more CPU than this during the big send make its figures suspect.
BUSY_CPU = 0.2

INTRO = f"""\
## Notification fan-out and delivery (`bench/fanout`)

`bench/fanout/run` makes a PostgreSQL database of its own, flushes a Redis database number of
its own (the broker), starts a real SMTP sink (aiosmtpd, in its own process; it writes one line
per message with its `X-Noroshi-Delivery` key) and a real Celery worker with its beat
(`--concurrency 2`, the project's settings: acks late, prefetch 1; the storm guard's cap raised
so that the probe audience is not held). It adds the subscribers in bulk and runs `ANALYZE`,
then publishes through the services, as the console does, and reads the figures back from the
sink, the worker's log and the database:

- **fan-out**: from the commit of the update to the fan-out task's end (every delivery row
  committed and every chunk of ids queued), read from the worker's log; then the same task
  runs again a third of the way through the sending (in the benchmark's process: queued, it
  would wait behind every chunk; it queues the pending rows once more), and once more at the
  end;
- **first message**: from the commit to the first message of that notification at the sink,
  over several publishes to a small audience of their own (the big audience is in the same
  table, so the fan-out statement goes through every subscriber); each publish waits for the
  previous one to be delivered. The big publish's own first message is shown beside it;
- **sustained delivery**: the big notification's messages per second at the sink, first to
  last (every row claimed before its message leaves, in groups of NOROSHI_CLAIM_GROUP, and
  its outcome written, the kill switch watched before each message), against the **reference**
  measured in the same run, before and after it: raw `smtplib` sending the same bytes (built
  by the e-mail channel) to the same sink on one connection;
- **duplicates and lost**: messages per key at the sink, and every delivery row `sent`.

Targets (issue 4): fan-out of {100_000:,} ≤ {FAN_OUT_SECONDS:g} s and a re-run adds 0 rows;
first message p50 ≤ {FIRST_MESSAGE_SECONDS:g} s; ≥ {MESSAGES_PER_SECOND:,.0f} messages/s and ≥
{SHARE_OF_REFERENCE:.0%} of the reference; SMS pacing at the configured rate ± {SMS_TOLERANCE:.0%};
duplicates 0, lost 0. Everything runs on this one machine (2 cores): the sink, PostgreSQL,
Redis and the worker share them, and the run notes the CPU other processes took meanwhile.
See [bench/fanout/README.md](../bench/fanout/README.md).
"""


@dataclass
class SmsFigures:
    messages: int
    configured: float
    measured: float
    steady: float
    duplicates: int
    lost: int
    note: str = ""


@dataclass
class Figures:
    subscribers: int = 0
    concurrency: int = 0
    populate_seconds: float = 0.0
    fan_out_seconds: float = 0.0
    fan_out_added: int = 0
    rerun_added_midway: int | None = None
    rerun_added_after: int | None = None
    first_message: list[float] = field(default_factory=list)
    probe_audience: int = 0
    big_first_message: float = 0.0
    send: Rate | None = None
    reference: float = 0.0
    reference_turns: tuple[float, float] = (0.0, 0.0)
    expected: int = 0
    duplicates: int = 0
    lost: int = 0
    strays: int = 0
    not_sent: int = 0
    other_cpu: float = 0.0
    # CPU ms per message of the benchmark's own processes: the big send (worker, sink,
    # PostgreSQL, Redis) and the reference turns (this process, the sink).
    send_cpu_ms: float = 0.0
    reference_cpu_ms: float = 0.0
    sms: SmsFigures | None = None
    sms_unavailable: str = ""
    notifications: list[int] = field(default_factory=list)
    main_notification: int = 0
    when: str = ""
    machine: str = ""
    versions: str = ""
    command: str = ""
    load: str = ""
    seconds: float = 0.0


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
    memory = re.search(r"^MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text(), re.MULTILINE)
    ram = f"{int(memory.group(1)) / 1024 / 1024:.1f} GiB RAM" if memory else "RAM unknown"
    cpu = model.group(1).strip() if model else platform.processor()
    return f"{os.cpu_count()} CPUs, {cpu}, {ram}, Linux {platform.release()}"


def versions() -> str:
    """Versions of what ran (call with Django set up and the database still there)."""
    import aiosmtpd
    import celery
    import django
    import redis
    from django.conf import settings
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0].split()[0]
    server = redis.Redis.from_url(settings.REDIS_URL).info("server")["redis_version"]
    return (
        f"PostgreSQL {postgres}, Redis {server}, Celery {celery.__version__}, "
        f"Django {django.__version__}, aiosmtpd {aiosmtpd.__version__}, "
        f"Python {platform.python_version()}"
    )


def load_note(before: tuple[float, ...], after: tuple[float, ...]) -> str:
    return (
        f"load average {before[0]:.2f} / {before[1]:.2f} / {before[2]:.2f} before, "
        f"{after[0]:.2f} / {after[1]:.2f} / {after[2]:.2f} after"
    )


def verdict(ok: bool) -> str:
    return "**met**" if ok else "**NOT met**"


def fan_out_rows(f: Figures) -> list[tuple[str, str, str, bool | None]]:
    reruns = (f.rerun_added_midway, f.rerun_added_after)
    return [
        (
            f"fan-out of {f.fan_out_added:,}: commit → every row committed, every send queued",
            f"≤ {FAN_OUT_SECONDS:g} s",
            f"{f.fan_out_seconds:.2f} s",
            f.fan_out_seconds <= FAN_OUT_SECONDS and f.fan_out_added == f.subscribers,
        ),
        (
            "fan-out run again (the task, a third of the way through the sending; then at "
            "the end): rows added",
            "0",
            " / ".join("—" if n is None else str(n) for n in reruns),
            all(n == 0 for n in reruns),
        ),
    ]


def latency_rows(f: Figures) -> list[tuple[str, str, str, bool | None]]:
    if not f.first_message:
        return []
    p50 = median(f.first_message)
    return [
        (
            f"publish → first message at the sink, {len(f.first_message)} publishes to "
            f"{f.probe_audience} subscribers each",
            f"p50 ≤ {FIRST_MESSAGE_SECONDS:g} s",
            f"p50 {p50:.3f} s, p90 {percentile(f.first_message, 0.9):.3f} s, "
            f"max {max(f.first_message):.3f} s",
            p50 <= FIRST_MESSAGE_SECONDS,
        ),
        (
            f"publish → first message, the publish to {f.subscribers:,}",
            "(information)",
            f"{f.big_first_message:.3f} s",
            None,
        ),
    ]


def delivery_rows(f: Figures) -> list[tuple[str, str, str, bool | None]]:
    send = f.send
    assert send is not None
    share = send.per_second / f.reference if f.reference else 0.0
    return [
        (
            f"sustained e-mail delivery, per-message state, {send.messages:,} messages "
            f"(concurrency {f.concurrency})",
            f"≥ {MESSAGES_PER_SECOND:,.0f} /s",
            f"{send.per_second:,.0f} /s over {send.seconds:.1f} s "
            f"(middle 90 %: {send.steady_per_second:,.0f} /s)",
            send.per_second >= MESSAGES_PER_SECOND,
        ),
        (
            "share of the reference: raw smtplib, same messages, same sink, one connection",
            f"≥ {SHARE_OF_REFERENCE:.0%}",
            f"{share:.0%} of {f.reference:,.0f} /s (turns before/after: "
            f"{f.reference_turns[0]:,.0f} / {f.reference_turns[1]:,.0f} /s)",
            share >= SHARE_OF_REFERENCE,
        ),
        (
            "CPU per message (all cores): the send (worker, sink, PostgreSQL, Redis) / "
            "the reference (smtplib, sink)",
            "(information)",
            f"{f.send_cpu_ms:.2f} ms / {f.reference_cpu_ms:.2f} ms",
            None,
        ),
        (
            f"duplicates: messages beyond one per delivery, over {f.expected:,} deliveries",
            "0",
            str(f.duplicates),
            f.duplicates == 0,
        ),
        (
            "lost: deliveries with no message at the sink / rows not `sent`",
            "0",
            f"{f.lost} / {f.not_sent}" + (f" ({f.strays} unknown keys)" if f.strays else ""),
            f.lost == 0 and f.not_sent == 0 and f.strays == 0,
        ),
    ]


def sms_rows(f: Figures) -> list[tuple[str, str, str, bool | None]]:
    if f.sms is None:
        return [("SMS pacing", "± 5 %", f"not measured ({f.sms_unavailable})", None)]
    sms = f.sms
    deviation = sms.measured / sms.configured - 1
    ok = abs(deviation) <= SMS_TOLERANCE and sms.duplicates == 0 and sms.lost == 0
    return [
        (
            f"SMS pacing, {sms.messages:,} messages at the fake Twilio, one sender",
            f"{sms.configured:g} /s ± {SMS_TOLERANCE:.0%}",
            f"{sms.measured:.2f} /s ({deviation:+.1%}; middle 90 %: {sms.steady:.2f} /s); "
            f"duplicates {sms.duplicates}, lost {sms.lost}{sms.note}",
            ok,
        )
    ]


def table(f: Figures) -> str:
    rows = fan_out_rows(f) + latency_rows(f) + delivery_rows(f) + sms_rows(f)
    lines = ["| what | target | measured | |", "|---|---|---|---|"]
    for what, target, measured, ok in rows:
        lines.append(f"| {what} | {target} | {measured} | {'' if ok is None else verdict(ok)} |")
    return "\n".join(lines)


def markdown(f: Figures) -> str:
    busy = (
        f"- **The machine was not quiet**: other processes used {f.other_cpu:.2f} CPU during the "
        "big send, taking it from the processes measured; those figures are low.\n"
        if f.other_cpu >= BUSY_CPU
        else ""
    )
    return (
        f"### Run of {f.when}\n\n"
        f"- machine: {f.machine}\n- versions: {f.versions}\n- command: `{f.command}`\n"
        f"- {f.load}; other processes used {f.other_cpu:.2f} CPU during the big send\n"
        f"- {f.subscribers:,} subscribers added in {f.populate_seconds:.1f} s (bulk_create); "
        f"whole run {f.seconds:.0f} s\n{busy}\n{table(f)}\n"
    )


def write_docs(f: Figures) -> Path:
    """Put this run first in the bench/fanout section of docs/benchmarks.md, keeping the last
    few; the rest of the file is left as it is."""
    section = docs_section.Section(BEGIN, END, RUN, INTRO, KEPT_RUNS)
    return docs_section.write_run(section, markdown(f), DOCS)
