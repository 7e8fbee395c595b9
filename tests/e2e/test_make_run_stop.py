"""Ctrl-C of `make run`: honcho with Procfile.dev (gunicorn, a Celery worker with its pool, beat),
started as the Makefile starts it, on a SQLite database and the embedded broker of its own.
A terminal's Ctrl-C sends SIGINT to its foreground process group (make and honcho); honcho then
sends SIGTERM to the process group of each of its processes. Every process stops on its own
(honcho never has to SIGKILL one: statuspage.devprocs gives the worker the time it needs), none
prints an error on the way, and every worker pool process and beat writes its clean stop."""

import contextlib
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from tests.e2e.gunicorn import fetch, free_port

pytestmark = pytest.mark.e2e

READY_TIMEOUT = 90
STOP_TIMEOUT = 30
STARTED = re.compile(r"system +\| (\w+)\.1 started \(pid=(\d+)\)")


def bin_dir() -> Path:
    """The Makefile's $(BIN): the project's .venv, or the interpreter running the tests."""
    venv = Path(settings.BASE_DIR) / ".venv" / "bin"
    return venv if (venv / "honcho").exists() else Path(sys.executable).parent


def run_environment(var_dir: Path, port: int) -> dict[str, str]:
    """A fresh checkout's defaults: SQLite and the filesystem broker under var_dir; no .env."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "NOROSHI_BROKER_DIR"}
        and name != "DJANGO_SETTINGS_MODULE"
    }
    return {
        **env,
        "NOROSHI_VAR_DIR": str(var_dir),
        "NOROSHI_PORT": str(port),
        "NOROSHI_ENV_FILE": os.devnull,
    }


def started_groups(log: str) -> dict[str, int]:
    """Procfile name -> the process group honcho started it in (honcho signals the group)."""
    return {name: int(pid) for name, pid in STARTED.findall(log)}


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def groups_left(groups: dict[str, int]) -> list[str]:
    """The names whose process group (the pool processes, gunicorn's workers) still has a
    process once its processes had the time to be reaped."""
    deadline = time.monotonic() + STOP_TIMEOUT
    while time.monotonic() < deadline:
        left = [name for name, pgid in groups.items() if group_alive(pgid)]
        if not left:
            return []
        time.sleep(0.1)
    return left


def wait_until_ready(honcho: subprocess.Popen, port: int, log_path: Path) -> None:
    """/readyz answers 200 once the web serves and worker and beat publish their heartbeats."""
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if honcho.poll() is not None:
            pytest.fail(f"honcho exited {honcho.returncode}:\n{log_path.read_text()}")
        with contextlib.suppress(OSError):
            if fetch(port, "/readyz")[0] == 200:
                return
        time.sleep(0.5)
    pytest.fail(f"not ready after {READY_TIMEOUT} s:\n{log_path.read_text()}")


def test_ctrl_c_of_make_run_stops_every_process_with_no_error(tmp_path):
    var_dir, port, log_path = tmp_path / "var", free_port(), tmp_path / "make-run.log"
    env = run_environment(var_dir, port)
    python = str(bin_dir() / "python")
    migrate = [python, "manage.py", "migrate", "--noinput"]
    subprocess.run(migrate, cwd=settings.BASE_DIR, env=env, check=True, capture_output=True)
    command = [
        python, "-m", "statuspage.envfile",
        python, "-m", "statuspage.devprocs", "--env", os.devnull, "-f", "Procfile.dev", "start",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        honcho = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,  # the terminal's foreground process group
        )  # fmt: skip
    groups: dict[str, int] = {}
    left: list[str] = []
    try:
        wait_until_ready(honcho, port, log_path)
        groups = started_groups(log_path.read_text())
        assert set(groups) == {"web", "worker", "beat"}
        os.killpg(honcho.pid, signal.SIGINT)  # Ctrl-C
        honcho.wait(STOP_TIMEOUT)
        left = groups_left(groups)
    finally:
        for pgid in [honcho.pid, *groups.values()]:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGKILL)
        honcho.wait(STOP_TIMEOUT)
    output = log_path.read_text(errors="replace")
    assert "SIGINT received" in output, output
    for name in groups:
        assert f"{name}.1 stopped" in output, output
    problems = [line for line in output.splitlines() if "ERROR" in line or "Traceback" in line]
    assert problems == [], output
    assert "SIGKILL" not in output, output  # every process stopped on its own
    assert left == [], output
    # Each worker pool process and beat wrote its clean stop.
    with sqlite3.connect(var_dir / "noroshi.sqlite3") as database:
        rows = database.execute("SELECT role, stopped_at FROM notify_processheartbeat").fetchall()
    assert {role for role, _ in rows} == {"worker", "beat"}
    assert [role for role, stopped_at in rows if stopped_at is None] == []
