"""CI must fail loudly, never fall back, when PostgreSQL or Redis is missing."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_suite_with(tmp_path, *options, **env):
    environment = {
        **os.environ,
        "NOROSHI_VAR_DIR": str(tmp_path),
        "NOROSHI_REQUIRE_SERVICES": "1",
        **env,
    }
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            *options,
            "tests/incidents/test_rollup.py",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


# In parallel (pytest-xdist, as `make test` runs) the controller checks, before any worker starts.
@pytest.mark.parametrize("options", [(), ("-n", "2")], ids=["serial", "parallel"])
def test_unreachable_postgres_and_redis_stop_the_run(tmp_path, options):
    result = run_suite_with(
        tmp_path,
        *options,
        DATABASE_URL="postgres://postgres@127.0.0.1:1/noroshi",
        REDIS_URL="redis://127.0.0.1:1/0",
    )
    assert result.returncode == 3, result.stdout + result.stderr
    output = result.stdout + result.stderr
    assert "Redis at redis://127.0.0.1:1/0 is unreachable" in output
    assert "PostgreSQL at 127.0.0.1:1 is unreachable" in output


def test_sqlite_is_refused_when_services_are_required(tmp_path):
    environment = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/incidents/test_rollup.py",
        ],
        cwd=ROOT,
        env={**environment, "NOROSHI_VAR_DIR": str(tmp_path), "NOROSHI_REQUIRE_SERVICES": "1"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 3
    assert "DATABASE_URL must point at PostgreSQL" in result.stdout + result.stderr
