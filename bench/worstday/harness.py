"""The worst day's processes on this machine, in one throwaway directory and one environment:
bench/fanout's stack (a PostgreSQL database and a Redis database number of the benchmark's own,
the SMTP sink, a real Celery worker), beat in a process of its own (as the shipped systemd
units run it), and bench/page's gunicorn and private nginx running the shipped
deploy/nginx/noroshi.conf. Visitors, the on-call engineer (this process, through the services)
and the worker share the database, the cache and the broker, as in production.

Harness.close() stops everything it started (nginx, gunicorn, worker, beat, sink), drops the
database, flushes the Redis database and removes the directory, unless asked to keep them.
"""

import ast
import contextlib
import os
import re
import signal
import subprocess
import time
from pathlib import Path

from stack import Stack, page_module, wait_for_line

page_stack = page_module("stack")
other_load = page_module("other_load")

# Celery's line for a sweep that ran, and for one that expired in the queue before it could.
SWEEP_RAN = re.compile(r"Task notify\.tasks\.sweep\[[^\]]+\] succeeded in \S+: (\{[^}]*\})")
SWEEP_EXPIRED = "Discarding revoked task: notify.tasks.sweep["


class Harness(Stack):
    """bench/fanout's Stack, with the public site in front; use as a context manager."""

    name = "bench-worstday"
    # As the shipped systemd units run them: a worker killed does not take beat with it.
    embedded_beat = False

    def __init__(
        self, *, database_url: str, redis_url: str, keep: bool = False, sink_nice: int = 10
    ) -> None:
        super().__init__(database_url=database_url, redis_url=redis_url, keep=keep)
        self.sink_nice = sink_nice
        # gunicorn logs warnings only: a line per request would cost the page its speed.
        web_env = {**self.env, "LOG_LEVEL": "WARNING"}
        self.web = page_stack.Stack(keep=keep, work=self.work, env=web_env)

    def django_env(self, **extra: str) -> dict[str, str]:
        env = super().django_env(**extra)
        env["CACHE_KEY_PREFIX"] = "noroshi-bench-worstday"
        return env

    def prepare(self) -> None:
        """A database and a broker of our own, the sink, the schema, the demo page and its
        static files."""
        self.recreate_database()
        self.flush_redis()
        self.start_sink()
        self.migrate()
        self.web.manage("seed_demo")
        self.web.manage("collectstatic", "--noinput", "--verbosity", "0")

    def start_sink(self) -> None:
        """The sink stands in for a mail server that runs on another machine in production:
        niced (`--sink-nice`), so that it takes the CPU the web host's own work leaves over,
        as the shipped worker does (NOROSHI_WORKER_NICE), instead of competing with the page."""
        super().start_sink()
        self.sink = self.processes[-1]
        os.setpriority(os.PRIO_PROCESS, self.sink.pid, self.sink_nice)
        # It leads a session of its own: under autogroup scheduling the session's niceness is
        # what weighs against the other sessions (as the worker sets its own, statuspage.celery).
        with contextlib.suppress(OSError):
            Path(f"/proc/{self.sink.pid}/autogroup").write_text(str(self.sink_nice))
        # And, like the worker, it waits for the web's time slice to end when it wakes.
        with contextlib.suppress(OSError):
            os.sched_setscheduler(self.sink.pid, os.SCHED_BATCH, os.sched_param(0))

    def start_beat(self) -> None:
        command = [
            page_stack.venv_python(), "-m", "celery", "-A", "statuspage", "beat",
            "--loglevel", "INFO", "--schedule", str(self.work / "celerybeat-schedule"),
        ]  # fmt: skip
        beat = self.start(command, self.work / "beat.log", self.env)
        wait_for_line(self.work / "beat.log", "beat: Starting", beat, 60)

    def start_site(self, gunicorn_options: list[str]) -> None:
        self.web.start_gunicorn(gunicorn_options)
        self.web.start_nginx()

    def nginx_url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.web.nginx_port}{path}"

    def kill_worker(self) -> float:
        """SIGKILL the worker's whole process group (its main process and pool; beat runs on in
        a process of its own), as the kernel's OOM killer would; return when it was sent, once
        every process of the group is gone."""
        worker = self.worker
        assert worker is not None
        killed_at = time.time()
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
        deadline = time.monotonic() + 30
        while group_alive(worker.pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        self.processes.remove(worker)
        self.worker = None
        return killed_at

    def restart_worker(self, concurrency: int) -> float:
        """Start the worker again (its log in a file of its own, so that its readiness is its
        own); return when it said it was ready."""
        self.worker_log = self.work / "worker-restarted.log"
        self.start_worker(concurrency)
        return time.time()

    def sweeps(self) -> dict[str, int]:
        """What the worker's logs say the sweep did so far: runs, runs that expired in the queue
        unrun, delivery ids it re-queued, rows it made `unknown`. For reading the figures only:
        no verdict rests on a log."""
        totals = {"ran": 0, "expired": 0, "requeued": 0, "unknown": 0}
        for log in sorted(self.work.glob("worker*.log")):
            text = log.read_text(errors="replace")
            totals["expired"] += text.count(SWEEP_EXPIRED)
            for match in SWEEP_RAN.finditer(text):
                result = ast.literal_eval(match.group(1))
                totals["ran"] += 1
                totals["requeued"] += result.get("requeued", 0)
                totals["unknown"] += result.get("unknown", 0)
        return totals

    def nginx_errors(self) -> list[str]:
        """The lines nginx wrote to its error log (level warn and above) so far."""
        path = self.work / "nginx" / "error.log"
        return path.read_text(errors="replace").splitlines() if path.exists() else []

    def sessions(self) -> set[int]:
        return super().sessions() | {p.pid for p in self.web.processes if p.poll() is None}

    def close(self) -> None:
        self.web.close()
        super().close()
        if not self.keep:
            with contextlib.suppress(Exception):  # the clean-up goes on
                self.flush_redis()


def group_alive(group: int) -> bool:
    """Whether a process of this process group still runs (zombies waiting to be reaped by
    init do not count: they hold nothing)."""
    return any(
        int(fields[2]) == group and fields[0] != "Z" for fields in other_load.process_stats()
    )


def tool_versions() -> str:
    """nginx's and wrk's versions."""
    nginx = subprocess.run(["nginx", "-v"], capture_output=True, text=True, check=False)
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    nginx_version = (nginx.stdout + nginx.stderr).strip().split("/")[-1]
    wrk_version = (wrk.stdout + wrk.stderr).split()[1]
    return f"nginx {nginx_version}, wrk {wrk_version}"
