"""The management API against its own OpenAPI document: schemathesis, through a real gunicorn
on the test database holding the demo page, sends what the schema allows and what it forbids
to every /api/v1 operation, as an Owner's API key, and checks every answer: no server error,
status codes, content types, headers and bodies as documented, schema-violating requests
refused, and the stateful links between operations (create, then read and change what was
created).

One check is left out: positive data acceptance, which expects every schema-valid request to
succeed. A schema cannot say that a component id must name a component of this page, or that
an incident must be resolved before its post-mortem starts; those requests are refused with a
400 or 409 that names the reason, as they should be.

The run is deterministic (a fixed seed, NOROSHI_SCHEMATHESIS_EXAMPLES examples per operation,
15 by default); `NOROSHI_SCHEMATHESIS_SEED=random` explores further."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection

from incidents import services
from tests.e2e.conftest import database_url
from tests.e2e.gunicorn import Gunicorn
from tests.e2e.migrated_rows import restore_migrated_rows

pytestmark = pytest.mark.e2e

SEED = os.environ.get("NOROSHI_SCHEMATHESIS_SEED", "20261205")
EXAMPLES = os.environ.get("NOROSHI_SCHEMATHESIS_EXAMPLES", "15")


@pytest.fixture
def owner_key(transactional_db) -> str:
    restore_migrated_rows()
    call_command("seed_demo", verbosity=0)
    owner = User.objects.create_superuser("owner", "owner@example.com")
    _, secret = services.create_api_key(user=owner, name="schemathesis", actor=owner)
    return secret


@pytest.fixture
def server(transactional_db, tmp_path):
    # The per-key limit is the API's own business (tests/statuspage/test_api_key_auth.py);
    # schemathesis would only meet 429s.
    env = {"NOROSHI_API_RATE": "100000/min", "NOROSHI_SIGNUPS_PER_ADDRESS_HOUR": "100000"}
    running = Gunicorn(tmp_path, database_url(connection.settings_dict), env=env)
    try:
        yield running
    finally:
        running.stop()


def test_the_management_api_conforms_to_its_schema(owner_key, server, tmp_path):
    base = f"http://127.0.0.1:{server.port}"
    report = tmp_path / "schemathesis.txt"
    command = [
        str(Path(sys.executable).with_name("st")),
        "run",
        f"{base}/api/v1/schema/",
        "--url",
        base,
        "--header",
        f"Authorization: OAuth {owner_key}",
        "--checks",
        "all",
        "--exclude-checks",
        "positive_data_acceptance",
        "--include-path-regex",
        "^/api/v1/",
        "--max-examples",
        EXAMPLES,
        "--no-color",
    ]
    if SEED != "random":
        command += ["--seed", SEED]
    with report.open("w") as out:
        finished = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, timeout=900)
    text = report.read_text()
    assert finished.returncode == 0, text[-12000:]
    assert " passed" in text.splitlines()[-1] or "passed" in text[-400:], text[-2000:]
