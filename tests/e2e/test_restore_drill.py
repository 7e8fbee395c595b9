"""The restore drill of docs/operations.md ("Backups"), on the real PostgreSQL: a page with
history, subscribers and deliveries is dumped with `pg_dump --format=custom`, restored with
`pg_restore` into a new database, and every table that holds what Noroshi recorded has the same
rows in both: the same count and the same checksum over the rows' text, in id order."""

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from psycopg import sql

from tests.e2e.conftest import database_url

ROOT = Path(__file__).resolve().parents[2]

# What an outage leaves behind: the page, its history and who was told what.
RECORDS = (
    "incidents_component",
    "incidents_componentgroup",
    "incidents_componentstatuschange",
    "incidents_incident",
    "incidents_incidentupdate",
    "incidents_incidentupdatecomponent",
    "incidents_postmortem",
    "incidents_postmortemtimelineentry",
    "incidents_recoveryaction",
    "incidents_auditentry",
    "notify_subscriber",
    "notify_notification",
    "notify_delivery",
    "auth_user",
)

# Subscribers who confirmed, told of the demo's current incident: deliveries to restore.
AUDIENCE = """
from django.utils import timezone
from incidents.models import Incident
from incidents.services import post_update
from tests.notify.fan_out import fan_out
from notify.models import Notification, Subscriber
from notify.services import subscribe

for n in range(5):
    subscribe(channel="email", address=f"drill{n}@example.test", ip="192.0.2.7")
Subscriber.objects.update(confirmed_at=timezone.now(), consent_at=timezone.now())
incident = Incident.objects.filter(resolved_at__isnull=True, kind="incident").first()
post_update(incident=incident, status="monitoring", body="Drill: a fix is out.")
for notification in Notification.objects.all():
    fan_out(notification.pk)
"""

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="the restore drill is PostgreSQL's (CI runs it there)",
)


def server() -> dict:
    db = settings.DATABASES["default"]
    return {
        "host": db["HOST"] or "localhost",
        "port": db["PORT"] or 5432,
        "user": db["USER"],
        "password": db["PASSWORD"] or None,
        "dbname": "postgres",
        "autocommit": True,
    }


@pytest.fixture
def databases():
    """Two new databases on the test server, dropped afterwards: the page's and the restore's."""
    names = [f"noroshi_drill_{uuid.uuid4().hex[:8]}_{part}" for part in ("live", "restored")]
    with psycopg.connect(**server()) as admin:
        for name in names:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield names
    with psycopg.connect(**server()) as admin:
        for name in names:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def url(name: str) -> str:
    return database_url({**settings.DATABASES["default"], "NAME": name})


def manage(database: str, var_dir: Path, *args: str) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": url(database),
        "REDIS_URL": "",
        "CELERY_BROKER_URL": "",
        "NOROSHI_VAR_DIR": str(var_dir),
        "NOROSHI_BROKER_TIMEOUT": "0.2",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    command = [sys.executable, "manage.py", *args]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"


def postgres_command(*args: str) -> list[str]:
    db = settings.DATABASES["default"]
    return [*args, "--host", db["HOST"] or "localhost", "--port", str(db["PORT"] or 5432),
            "--username", db["USER"]]  # fmt: skip


def fingerprint(database: str) -> dict[str, tuple[int, str]]:
    """Each table's row count and the md5 of its rows' text in id order."""
    found = {}
    with psycopg.connect(**{**server(), "dbname": database}) as conn:
        for table in RECORDS:
            query = sql.SQL(
                "SELECT count(*), coalesce(md5(string_agg(t::text, '|' ORDER BY t.id)), '')"
                " FROM {} AS t"
            ).format(sql.Identifier(table))
            count, digest = conn.execute(query).fetchone()
            found[table] = (count, digest)
    return found


def test_a_dump_restored_into_a_new_database_holds_every_record(databases, tmp_path):
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.fail("pg_dump and pg_restore are needed (Debian: postgresql-client)")
    live, restored = databases
    manage(live, tmp_path, "migrate", "--noinput")
    manage(live, tmp_path, "seed_demo")
    manage(live, tmp_path, "shell", "--command", AUDIENCE)
    dump = tmp_path / "noroshi.dump"
    env = {**os.environ, "PGPASSWORD": settings.DATABASES["default"]["PASSWORD"] or ""}

    subprocess.run(
        postgres_command("pg_dump", "--format=custom", "--file", str(dump), "--dbname", live),
        check=True, env=env, timeout=120,
    )  # fmt: skip
    subprocess.run(
        postgres_command("pg_restore", "--no-owner", "--exit-on-error", "--dbname", restored,
                         str(dump)),
        check=True, env=env, timeout=120,
    )  # fmt: skip

    before, after = fingerprint(live), fingerprint(restored)
    assert before["notify_delivery"][0] >= 5, "the drill has deliveries to restore"
    assert before["incidents_incidentupdate"][0] > 0 and before["notify_subscriber"][0] == 5
    assert after == before
    # The restored database is a working Noroshi: its migrations are all applied.
    manage(restored, tmp_path, "migrate", "--check")
