"""A run that leaves keys in Redis fails (tests.conftest's pytest_sessionfinish), in parallel
too: there the controller counts, once, after every worker has finished."""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

ROOT = Path(__file__).resolve().parents[2]

# A plugin for the run under test: each of its tests leaves a key named after its worker.
LEAVE_A_KEY = """
import os

import redis


def pytest_runtest_teardown(item):
    worker = os.environ["PYTEST_XDIST_WORKER"]
    redis.Redis.from_url(os.environ["REDIS_URL"]).set(f"left-by-{worker}", 1)
"""


@pytest.fixture
def own_redis(tmp_path):
    """A Redis server of this test's own, on a Unix socket: the run under test counts every key
    of its database, and the suite's other workers write to the shared one meanwhile."""
    if not shutil.which("redis-server"):
        if os.environ.get("NOROSHI_REQUIRE_SERVICES", "") in {"1", "true", "yes"}:
            pytest.fail("NOROSHI_REQUIRE_SERVICES is set but there is no redis-server")
        pytest.skip("needs redis-server, for a Redis of the test's own")
    socket = tmp_path / "redis.sock"
    command = ["redis-server", "--port", "0", "--unixsocket", str(socket), "--save", ""]
    server = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.DEVNULL)
    url = f"unix://{socket}?db=0"
    try:
        deadline = time.monotonic() + 10
        while not socket.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        redis.Redis.from_url(url).ping()
        yield url
    finally:
        server.terminate()
        server.wait(10)


def test_keys_left_by_parallel_workers_fail_the_run(tmp_path, own_redis):
    (tmp_path / "leave_a_key.py").write_text(LEAVE_A_KEY)
    environment = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}},
        "NOROSHI_REQUIRE_SERVICES": "",
        "NOROSHI_VAR_DIR": str(tmp_path / "var"),
        "REDIS_URL": own_redis,
        "PYTHONPATH": str(tmp_path),
    }
    # Three tests, two workers: xdist gives each worker at least one.
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p"]
    command += ["leave_a_key", "-n", "2", "tests/statuspage/test_broker_options.py"]
    result = subprocess.run(
        command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == pytest.ExitCode.TESTS_FAILED, result.stdout + result.stderr
    assert "3 passed" in result.stdout
    left = f"The tests left 2 keys in Redis ({own_redis}): left-by-gw0, left-by-gw1"
    assert [line for line in result.stdout.splitlines() if "keys in Redis" in line] == [left]
