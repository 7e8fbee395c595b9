"""The process counters every layer adds to, exposed in Prometheus's text format by /metrics
(statuspage.metrics), which adds the figures it reads from the database at scrape time.

They live in the lowest layer so that the public site, the notifications and the domain can
all count into them without importing each other. Web and worker processes on one host share
them through prometheus_client's multiprocess files in PROMETHEUS_MULTIPROC_DIR (settings sets
it to var/metrics before anything imports prometheus_client).
"""

from prometheus_client import Counter, Histogram

PUBLIC_CACHE = Counter(
    "noroshi_public_cache_requests",
    "Public page requests, by where the answer came from: memory (this process), cache "
    "(shared), render (a fresh rendering), snapshot (the last good rendering on disk).",
    ["source"],
)

DEPENDENCY_ERRORS = Counter(
    "noroshi_dependency_errors",
    "Calls to a dependency that failed and were handled: database, cache, broker.",
    ["dependency"],
)

SEND_SECONDS = Histogram(
    "noroshi_send_seconds",
    "Time of one provider call (an e-mail, a text, a webhook or Slack post), by channel.",
    ["channel"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
