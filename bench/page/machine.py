"""The machine a benchmark ran on, as its report names it: cores, CPU model, memory, kernel, and
how fast this Python runs a fixed loop right now. The loop tells runs on a busy or slow host
(a neighbour on the same physical cores takes time that no process here shows) from quiet ones:
its seconds grow with the host's contention."""

import os
import platform
import re
import time
from pathlib import Path

PROBE_ADDITIONS = 5_000_000


def cpu_probe_seconds() -> float:
    """The best of three timings of PROBE_ADDITIONS integer additions in this Python."""
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for number in range(PROBE_ADDITIONS):
            total += number
        timings.append(time.perf_counter() - started)
    return min(timings)


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
    memory = re.search(r"^MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text(), re.MULTILINE)
    ram = f"{int(memory.group(1)) / 1024 / 1024:.1f} GiB RAM" if memory else "RAM unknown"
    return (
        f"{os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), "
        f"{model.group(1).strip() if model else platform.processor()}, {ram}, "
        f"Linux {platform.release()}; a Python loop of {PROBE_ADDITIONS:,} additions took "
        f"{cpu_probe_seconds():.2f} s at the start (higher on a busy host)"
    )
