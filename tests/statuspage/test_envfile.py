"""`.env` is read in one place, the same way by every step of `make run`: the settings of every
manage.py command and process, and the launcher that starts honcho."""

import os
import sqlite3
import subprocess
import sys

from django.conf import settings

CLEARED = ("DATABASE_URL", "REDIS_URL", "SITE_URL", "PORT", "NOROSHI_PORT", "CELERY_BROKER_URL")


def run(tmp_path, *command: str, **extra: str) -> str:
    env = {name: value for name, value in os.environ.items() if name not in CLEARED}
    env.update(
        NOROSHI_ENV_FILE=str(tmp_path / ".env"),
        NOROSHI_VAR_DIR=str(tmp_path / "var"),
        DJANGO_SETTINGS_MODULE="statuspage.settings",
        **extra,
    )
    done = subprocess.run(
        command, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


PRINT_SETTINGS = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.SITE_URL, s.DATABASES['default']['NAME'], s.CELERY_BROKER_URL)"
)


def test_settings_take_the_database_and_port_from_the_env_file(tmp_path):
    (tmp_path / ".env").write_text(
        f"DATABASE_URL=sqlite:///{tmp_path}/from-env.sqlite3\nPORT=9123\n"
        "# a comment\nCELERY_BROKER_URL='memory://'\n"
    )

    printed = run(tmp_path, sys.executable, "-c", PRINT_SETTINGS)

    assert printed == f"http://127.0.0.1:9123 {tmp_path}/from-env.sqlite3 memory://"


def test_the_environment_wins_over_the_env_file(tmp_path):
    (tmp_path / ".env").write_text("SITE_URL=http://from-file.test\nPORT=9123\n")

    printed = run(
        tmp_path, sys.executable, "-c", PRINT_SETTINGS, SITE_URL="https://status.example.test"
    )

    assert printed.split()[0] == "https://status.example.test"


def test_honchos_port_in_the_environment_does_not_move_the_links(tmp_path):
    """honcho gives each process a PORT of its own (the worker 5100): links keep the web's."""
    (tmp_path / ".env").write_text("PORT=9123\n")

    printed = run(tmp_path, sys.executable, "-c", PRINT_SETTINGS, PORT="5100")

    assert printed.split()[0] == "http://127.0.0.1:9123"


def test_manage_py_migrates_the_database_the_env_file_names(tmp_path):
    database = tmp_path / "from-env.sqlite3"
    (tmp_path / ".env").write_text(f"DATABASE_URL=sqlite:///{database}\n")

    run(tmp_path, sys.executable, "manage.py", "migrate", "--noinput", "--verbosity", "0")

    with sqlite3.connect(database) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    assert {"incidents_incident", "notify_delivery"} <= tables
    assert not (tmp_path / "var" / "noroshi.sqlite3").exists()


def test_the_launcher_runs_a_command_with_the_env_file_and_the_web_port(tmp_path):
    (tmp_path / ".env").write_text("PORT=9123\nNOROSHI_GREETING=hello from .env\n")
    show = "import os; print(os.environ['NOROSHI_PORT'], os.environ['NOROSHI_GREETING'])"

    printed = run(tmp_path, sys.executable, "-m", "statuspage.envfile", sys.executable, "-c", show)

    assert printed == "9123 hello from .env"


def test_without_an_env_file_the_web_port_is_8000(tmp_path):
    printed = run(tmp_path, sys.executable, "-c", PRINT_SETTINGS)

    assert printed.split()[0] == "http://127.0.0.1:8000"


def test_a_copy_of_env_example_changes_no_default(tmp_path):
    """Most of .env.example's variables are empty: an empty value means the default."""
    show = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SITE_URL, s.EMAIL_BACKEND, s.CELERY_BROKER_URL, s.DEFAULT_FROM_EMAIL)"
    )
    defaults = run(tmp_path, sys.executable, "-c", show)
    (tmp_path / ".env").write_text((settings.BASE_DIR / ".env.example").read_text())

    assert run(tmp_path, sys.executable, "-c", show) == defaults
    assert defaults.split()[:2] == [
        "http://127.0.0.1:8000",
        "notify.channels.mail_files.MessageFileBackend",
    ]
