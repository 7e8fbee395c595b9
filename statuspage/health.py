"""Probes for load balancers and operators (docs/operations.md, "Health and metrics").

- `/healthz`: can THIS process serve the public page? It asks for `/` the way a visitor does
  (memory, shared cache, a fresh rendering, or the last snapshot on disk), so a server that is
  answering from snapshots while the database is down stays in the pool.
- `/readyz`: is everything Noroshi needs up? The database, the cache, the broker, a worker and
  beat, each by name. The probes run side by side, and one that has not answered within
  READY_TIMEOUT is reported down, so a hung dependency never hangs the probe.
"""

import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.urls import resolve

from statuspage.dependencies import Check, broker_probe, cache_probe, database_and_heartbeats

# Seconds /readyz waits for its probes (each also has its own, shorter or longer, timeouts).
READY_TIMEOUT = 1.5
PROBES: dict[tuple[str, ...], Callable[[], dict[str, Check]]] = {
    ("database", "worker", "beat"): database_and_heartbeats,
    ("cache",): cache_probe,
    ("broker",): broker_probe,
}


def healthz(request: HttpRequest) -> JsonResponse:
    """200 when this process can answer `/` (from wherever), 503 when it cannot."""
    probe = WSGIRequest(front_page_environ(request))
    try:
        response = resolve("/").func(probe)
    except Exception as error:  # whatever stops the page makes this process unhealthy
        return answer({"ok": False, "page": "unavailable", "detail": type(error).__name__}, 503)
    if response.status_code != 200:
        return answer({"ok": False, "page": f"status {response.status_code}"}, 503)
    source = "snapshot" if response.has_header("X-Noroshi-Snapshot") else "current"
    return answer({"ok": True, "page": source}, 200)


def front_page_environ(request: HttpRequest) -> dict[str, Any]:
    """The request of a visitor asking for `/` in the default language, on the host asked for
    when the page is served under it, else on SITE_URL's (a probe by the server's address)."""
    kept = {
        name: value
        for name, value in request.META.items()
        if not name.startswith("HTTP_") or name == "HTTP_X_FORWARDED_PROTO"
    }
    return {
        **kept,
        "HTTP_HOST": page_host(request),
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/",
        "QUERY_STRING": "",
    }


def page_host(request: HttpRequest) -> str:
    try:
        return request.get_host()
    except DisallowedHost:
        return urlsplit(settings.SITE_URL).netloc


def readyz(request: HttpRequest) -> JsonResponse:
    """Each dependency by name, up or down; 503 when any is down."""
    checks = run_probes(READY_TIMEOUT)
    ready = all(check.ok for check in checks.values())
    body = {"ready": ready, "checks": {name: check.as_json() for name, check in checks.items()}}
    return answer(body, 200 if ready else 503)


def run_probes(timeout: float) -> dict[str, Check]:
    """Run every probe in a thread of its own; those not back within `timeout` are down."""
    results: dict[str, Check] = {}
    lock = threading.Lock()
    threads = [
        threading.Thread(target=run_probe, args=(probe, results, lock), daemon=True)
        for probe in PROBES.values()
    ]
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    late = Check(False, f"no answer within {timeout:g} s")
    with lock:  # a late probe may still be writing
        return {name: results.get(name, late) for names in PROBES for name in names}


def run_probe(probe: Callable[[], dict[str, Check]], results: dict, lock: threading.Lock) -> None:
    try:
        found = probe()
        with lock:
            results.update(found)
    finally:
        connections.close_all()  # this thread's own connections


def answer(body: dict, status: int) -> JsonResponse:
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    return response


# The probes by path, for statuspage.middleware.ProbeMiddleware (urls.py names them too).
PROBE_VIEWS: dict[str, Callable[[HttpRequest], JsonResponse]] = {
    "/healthz": healthz,
    "/readyz": readyz,
}
