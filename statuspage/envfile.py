"""The one place that reads `.env`: Django's settings call load_env_file() first thing, so every
process (manage.py commands, gunicorn, the Celery worker and beat) sees the same configuration,
and `python -m statuspage.envfile COMMAND…` runs a command with it (make run starts honcho so).

The real environment wins over the file; the file wins over the defaults. `PORT` in the file is
the web's port (NOROSHI_PORT): honcho sets PORT itself in every process it starts (5000, 5100…),
so the settings never read PORT from the environment.
"""

import os
import sys
from pathlib import Path

from dotenv import dotenv_values

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_PORT = "8000"


def env_file_path() -> Path:
    """`.env` beside manage.py, or the file NOROSHI_ENV_FILE names."""
    return Path(os.environ.get("NOROSHI_ENV_FILE") or BASE_DIR / ".env")


def load_env_file() -> dict[str, str]:
    """Put the variables of the env file that the environment does not set into os.environ;
    return the file's variables. No file: nothing changes. An empty value (`NAME=`, as
    .env.example lists most) leaves the setting at its default."""
    path = env_file_path()
    values = {name: value for name, value in dotenv_values(path).items() if value}
    for name, value in values.items():
        os.environ.setdefault(name, value)
    if values.get("PORT") and not os.environ.get("NOROSHI_PORT"):
        os.environ["NOROSHI_PORT"] = values["PORT"]
    return values


def web_port() -> str:
    """The port the web process listens on (NOROSHI_PORT, from `make run PORT=…` or `.env`)."""
    return os.environ.get("NOROSHI_PORT") or DEFAULT_PORT


def env_bool(name: str, default: bool = False) -> bool:
    """A yes/no variable: 1, true, yes or on; unset or empty: the default."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """A comma-separated variable; unset: the default's items."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def main(argv: list[str]) -> None:
    """Run argv with the env file loaded (its first word looked up on PATH)."""
    if not argv:
        sys.exit("usage: python -m statuspage.envfile COMMAND [ARG…]")
    load_env_file()
    os.environ["NOROSHI_PORT"] = web_port()
    os.execvp(argv[0], argv)


if __name__ == "__main__":
    main(sys.argv[1:])
