"""The two releases measured side by side: this checkout and the previous release, each run as
bench/page runs Noroshi (gunicorn behind the shipped nginx config, throwaway directory), each on
a database and cache of its own.

The previous release is a git worktree of PREVIOUS_COMMIT made on demand (and removed again
when this run made it), sharing this checkout's .venv.
"""

import filecmp
import shutil
import subprocess
import sys
import time
from pathlib import Path

# bench/page after this folder, so that a module here is never shadowed by one there.
sys.path.append(str(Path(__file__).resolve().parents[1] / "page"))

from stack import ROOT, SHIPPED_CONF, Stack, fetch, run_python, stop

# The last commit of the session before this session's page changes (issue 14 item 11).
PREVIOUS_COMMIT = "e9202d0"
PREVIOUS_CHECKOUT = Path("/tmp/firstvisit-prev")
SCENARIO_SCRIPT = Path(__file__).resolve().parent / "scenario.py"


class ReleaseStack(Stack):
    """bench/page's stack, running the Django project found at `root` instead of this one."""

    def __init__(self, root: Path, label: str, **kwargs) -> None:
        self.root = root
        self.label = label
        super().__init__(**kwargs)

    def django_env(self) -> dict[str, str]:
        env = super().django_env()
        # Two releases run at once: each keeps its SQLite database and file cache in its own
        # throwaway directory rather than sharing a server database or Redis.
        for name in ("DATABASE_URL", "REDIS_URL", "CACHE_KEY_PREFIX"):
            env.pop(name, None)
        return env

    def manage(self, *args: str, timeout: float = 120) -> str:
        return self.run_python(["manage.py", *args], timeout=timeout)

    def run_python(self, args: list[str], timeout: float = 120) -> str:
        return run_python(args, cwd=self.root, env=self.env, timeout=timeout, label=self.label)

    def start(self, args: list[str], log_name: str) -> subprocess.Popen:
        log = open(self.work / log_name, "wb")  # noqa: SIM115 — closed with the process
        process = subprocess.Popen(
            args,
            cwd=self.root,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.processes.append(process)
        return process

    def enter_scenario(self, name: str) -> str:
        """Apply a scenario (scenario.py) and restart nginx with an empty micro-cache, so that
        no page of the previous scenario is served; return what was done."""
        done = self.run_python([str(SCENARIO_SCRIPT), name])
        self.restart_nginx()
        return done.strip()

    def restart_nginx(self) -> None:
        for process in [p for p in self.processes if Path(str(p.args[0])).name == "nginx"]:
            stop(process)
            self.processes.remove(process)
        shutil.rmtree(self.work / "nginx" / "cache", ignore_errors=True)
        self.start_nginx()

    def prime(self, languages: dict[str, str]) -> dict[str, bytes]:
        """Ask nginx for `/` in each language (gzip, as browsers ask) until its micro-cache
        holds it, so that every visit measured is answered from the cache; return the pages."""
        pages = {}
        for language, accept_language in languages.items():
            headers = {"Accept-Language": accept_language, "Accept-Encoding": "gzip"}
            address = f"http://127.0.0.1:{self.nginx_port}/"
            for _ in range(20):
                status, answer_headers, body = fetch(address, headers)
                if status == 200 and answer_headers.get("X-Cache-Status") == "HIT":
                    break
                time.sleep(0.1)
            pages[language] = body
        return pages

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.nginx_port}{path}"


def previous_checkout() -> tuple[Path, bool]:
    """The previous release's worktree (made now when missing) and whether this run made it."""
    if (PREVIOUS_CHECKOUT / "manage.py").exists():
        return PREVIOUS_CHECKOUT, False
    subprocess.run(
        ["git", "worktree", "add", "--detach", str(PREVIOUS_CHECKOUT), PREVIOUS_COMMIT],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=120,
    )
    (PREVIOUS_CHECKOUT / ".venv").symlink_to(ROOT / ".venv")
    return PREVIOUS_CHECKOUT, True


def remove_checkout(path: Path) -> None:
    subprocess.run(
        ["git", "worktree", "remove", "--force", str(path)],
        cwd=ROOT,
        check=False,
        capture_output=True,
        timeout=120,
    )


def same_nginx_config(root: Path) -> bool:
    """Whether `root` ships the nginx config this checkout does (the stack renders this one)."""
    theirs = root / "deploy" / "nginx" / "noroshi.conf"
    return theirs.exists() and filecmp.cmp(theirs, SHIPPED_CONF, shallow=False)


def commit_of(root: Path) -> str:
    result = subprocess.run(
        ["git", "log", "-1", "--format=%h %s"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    line = result.stdout.strip()
    return line if len(line) <= 70 else line[:69] + "…"
