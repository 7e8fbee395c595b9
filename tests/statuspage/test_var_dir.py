"""Where a process keeps its files (settings.VAR_DIR, and the metrics in it): var/ beside
manage.py, or NOROSHI_VAR_DIR; a pytest-xdist worker given none keeps them in a folder of its
own, so that tests running side by side share no snapshots, metrics, broker folders or mail."""

import os
import shutil
import subprocess
import sys
import uuid

from django.conf import settings

PRINT = "from statuspage import settings as s; print(s.VAR_DIR, s.PROMETHEUS_MULTIPROC_DIR)"
CLEARED = ("NOROSHI_VAR_DIR", "PROMETHEUS_MULTIPROC_DIR", "PYTEST_XDIST_WORKER")


def var_dir_and_metrics(tmp_path, **env: str) -> list[str]:
    environment = {name: value for name, value in os.environ.items() if name not in CLEARED}
    environment.update(NOROSHI_ENV_FILE=str(tmp_path / "no.env"), **env)
    done = subprocess.run(
        [sys.executable, "-c", PRINT],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_without_xdist_the_files_are_in_var(tmp_path):
    var = settings.BASE_DIR / "var"

    assert var_dir_and_metrics(tmp_path) == [str(var), str(var / "metrics")]


def test_an_xdist_worker_keeps_its_files_and_metrics_in_a_folder_of_its_own(tmp_path):
    worker = f"gw-test-{uuid.uuid4().hex[:8]}"
    own = settings.BASE_DIR / "var" / "xdist" / worker
    try:
        # The controller that starts the workers left var/'s metrics folder in the environment.
        found = var_dir_and_metrics(
            tmp_path,
            PYTEST_XDIST_WORKER=worker,
            PROMETHEUS_MULTIPROC_DIR=str(settings.BASE_DIR / "var" / "metrics"),
        )
    finally:
        shutil.rmtree(own, ignore_errors=True)

    assert found == [str(own), str(own / "metrics")]


def test_a_process_a_test_starts_with_noroshi_var_dir_keeps_exactly_it(tmp_path):
    found = var_dir_and_metrics(
        tmp_path,
        PYTEST_XDIST_WORKER="gw1",  # inherited from the worker that started it
        NOROSHI_VAR_DIR=str(tmp_path / "var"),
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "worker-metrics"),
    )

    assert found == [str(tmp_path / "var"), str(tmp_path / "worker-metrics")]
