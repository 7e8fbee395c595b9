"""Server time of one request, in-process, with the benchmark's settings (run as a child).

For each URL: N renders with the cache missed every time (incidents.changes.mark_page_changed()
before each, so the page version moves on, as after an update), then N cached answers. Each is
one django.test.Client request through the whole middleware stack. Prints JSON on stdout.

    python bench/page/render_timing.py [--renders N] [--profile FILE] URL...
"""

import argparse
import cProfile
import json
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from incidents.changes import mark_page_changed  # noqa: E402

HEADERS = {"Host": "127.0.0.1", "Accept-Language": "en-US,en;q=0.9"}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def summary(values: list[float]) -> dict:
    return {
        "median_ms": statistics.median(values),
        "p95_ms": percentile(values, 0.95),
        "n": len(values),
    }


def timed_get(client: Client, url: str, *, miss: bool) -> tuple[float, int]:
    if miss:
        mark_page_changed()
    start = time.perf_counter()
    response = client.get(url, headers=HEADERS)
    return (time.perf_counter() - start) * 1000, response.status_code


def measure(client: Client, url: str, renders: int, profiler: cProfile.Profile | None) -> dict:
    _, status = timed_get(client, url, miss=True)  # templates, imports, translations
    if status != 200:
        return {"status": status}
    with CaptureQueriesContext(connection) as queries:
        timed_get(client, url, miss=True)
    # Read now: captured_queries slices the connection's log, which later requests reset.
    query_count = len(queries.captured_queries)
    uncached = [timed_get(client, url, miss=True)[0] for _ in range(renders)]
    cached = [timed_get(client, url, miss=False)[0] for _ in range(renders * 4)]
    if profiler:
        # Profiled apart from the timed renders, which cProfile would slow down.
        profiler.enable()
        for _ in range(renders):
            timed_get(client, url, miss=True)
        profiler.disable()
    return {
        "status": 200,
        "queries": query_count,
        "uncached": summary(uncached),
        "cached": summary(cached),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--renders", type=int, default=60)
    parser.add_argument("--profile", help="profile more uncached renders; the report goes here")
    args = parser.parse_args()
    client = Client()
    profiler = cProfile.Profile() if args.profile else None
    results = {url: measure(client, url, args.renders, profiler) for url in args.urls}
    if profiler:
        with open(args.profile, "w") as out:
            stats = pstats.Stats(profiler, stream=out).strip_dirs()
            stats.sort_stats("cumulative").print_stats(40)
            stats.sort_stats("tottime").print_stats(25)
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
