"""The processes under test: a throwaway Noroshi (migrated, seeded, static collected), gunicorn,
and one private nginx running the shipped deploy/nginx/noroshi.conf beside a static reference.

Everything lives in one temporary directory and listens on free 127.0.0.1 ports; Stack.close()
stops what it started and removes the directory.
"""

import gzip
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHIPPED_CONF = ROOT / "deploy" / "nginx" / "noroshi.conf"

# The site-specific lines of the shipped config and what the benchmark puts there. Each must
# match exactly once: if the shipped file changes shape, the benchmark stops rather than
# measuring something else.
SITE_LINES = (
    ("proxy_cache_path /var/cache/nginx/noroshi ", "proxy_cache_path {cache} "),
    ("server 127.0.0.1:8000;", "server 127.0.0.1:{gunicorn_port};"),
    ("listen 80 backlog=4096;", "listen 127.0.0.1:{nginx_port} backlog=4096;"),
    ("alias /srv/noroshi/var/staticfiles/;", "alias {static_root}/;"),
    ("server 127.0.0.1:8079;", "server 127.0.0.1:{gzip_port};"),
    ("listen 127.0.0.1:8079;", "listen 127.0.0.1:{gzip_port};"),
)

MAIN_CONF = """\
{user}worker_processes auto;
worker_rlimit_nofile {open_files};
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
daemon off;

events {{
    worker_connections 4096;
}}

http {{
    # Debian's nginx.conf defaults, so that both servers below run as on a stock server.
    sendfile on;
    tcp_nopush on;
    types_hash_max_size 2048;
    include {mime_types};
    default_type application/octet-stream;
    gzip on;

    client_body_temp_path {prefix}/temp/body;
    proxy_temp_path {prefix}/temp/proxy;
    fastcgi_temp_path {prefix}/temp/fastcgi;
    uwsgi_temp_path {prefix}/temp/uwsgi;
    scgi_temp_path {prefix}/temp/scgi;

    # Only the requests that went upstream are logged, background refreshes included: the
    # benchmark counts them to show how much of a surge the micro-cache absorbs.
    log_subrequest on;
    map $upstream_addr $noroshi_bench_upstream {{
        ""      0;
        default 1;
    }}
    log_format noroshi_bench '$msec $upstream_cache_status $status $upstream_addr $request_uri';
    access_log {prefix}/upstream.log noroshi_bench if=$noroshi_bench_upstream;

    include {prefix}/noroshi.conf;

    # The reference: the same bytes as static files (gzipped beside them for clients that take
    # gzip), with the shipped server's file settings.
    server {{
        listen 127.0.0.1:{reference_port} backlog=4096;
        server_name reference;
        root {prefix}/reference;
        charset utf-8;
        charset_types application/json;
        gzip_static on;
        open_file_cache max=2000 inactive=60s;
        open_file_cache_valid 30s;
        open_file_cache_min_uses 1;
        open_file_cache_errors on;
        location = / {{
            try_files /index.html =404;
        }}
        location /api/ {{
            default_type application/json;
        }}
    }}
}}
"""


@dataclass
class Backends:
    database: str
    cache: str


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def venv_python() -> str:
    candidate = ROOT / ".venv" / "bin" / "python"
    return str(candidate) if candidate.exists() else sys.executable


def fetch(url: str, headers: dict[str, str] | None = None, timeout: float = 10):
    """GET `url`: (status, headers, body); HTTP errors are answers too."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def wait_for(url: str, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{program(process)} exited with {process.returncode}")
        try:
            fetch(url, timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {seconds:.0f} s")


def run_python(args: list[str], *, cwd: Path, env: dict, timeout: float, label: str = "") -> str:
    """Run the checkout's Python with `args` and return what it printed; its error if it fails."""
    result = subprocess.run(
        [venv_python(), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        where = f"{label}: " if label else ""
        raise RuntimeError(f"{where}{' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


class Stack:
    """The throwaway Noroshi, gunicorn and nginx; use as a context manager."""

    def __init__(
        self, *, keep: bool = False, work: Path | None = None, env: dict[str, str] | None = None
    ) -> None:
        """A stack in a throwaway directory of its own; or, for another benchmark, in its
        `work` directory (left for it to remove) with its Django environment `env`."""
        self.owns_work = work is None
        self.work = work or Path(tempfile.mkdtemp(prefix="noroshi-bench-"))
        self.keep = keep
        self.processes: list[subprocess.Popen] = []
        self.env = env if env is not None else self.django_env()
        self.gunicorn_port = free_port()
        self.nginx_port = free_port()
        self.reference_port = free_port()
        self.gzip_port = free_port()

    def __enter__(self) -> "Stack":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def django_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            NOROSHI_VAR_DIR=str(self.work / "var"),
            DJANGO_SETTINGS_MODULE="statuspage.settings",
            DEBUG="false",
            LOG_LEVEL="WARNING",
            PYTHONDONTWRITEBYTECODE="1",
        )
        if env.get("REDIS_URL"):
            # Its own key space, so that the benchmark neither reads nor clobbers a live page.
            env["CACHE_KEY_PREFIX"] = f"noroshi-bench-{os.getpid()}"
        return env

    def backends(self) -> Backends:
        database = self.env.get("DATABASE_URL") or f"SQLite in {self.work / 'var'}"
        cache = self.env.get("REDIS_URL") or "file-based cache in the same directory"
        return Backends(database=mask_password(database), cache=mask_password(cache))

    def manage(self, *args: str, timeout: float = 120) -> str:
        return run_python(["manage.py", *args], cwd=ROOT, env=self.env, timeout=timeout)

    def prepare_site(self) -> None:
        self.manage("migrate", "--noinput", "--verbosity", "0")
        self.manage("seed_demo")
        self.manage("collectstatic", "--noinput", "--verbosity", "0")

    def start(self, args: list[str], log_name: str) -> subprocess.Popen:
        log = open(self.work / log_name, "wb")  # noqa: SIM115 — closed with the process
        process = subprocess.Popen(
            args,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.processes.append(process)
        return process

    def start_gunicorn(self, options: list[str]) -> subprocess.Popen:
        args = [venv_python(), "-m", "gunicorn", "statuspage.wsgi", "--no-control-socket"]
        bind = ["--bind", f"127.0.0.1:{self.gunicorn_port}"]
        process = self.start([*args, *bind, *options], "gunicorn.log")
        wait_for(f"http://127.0.0.1:{self.gunicorn_port}/healthz", process)
        return process

    def stop_gunicorn(self, process: subprocess.Popen) -> None:
        stop(process)
        self.processes.remove(process)
        self.gunicorn_port = free_port()

    def write_reference(self, files: dict[str, bytes]) -> None:
        for url_path, body in files.items():
            name = "index.html" if url_path == "/" else url_path.lstrip("/")
            target = self.work / "nginx" / "reference" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(body)
            target.with_name(target.name + ".gz").write_bytes(gzip.compress(body, 6, mtime=0))

    def nginx_conf(self) -> Path:
        prefix = self.work / "nginx"
        for folder in ("temp", "cache", "reference"):
            (prefix / folder).mkdir(parents=True, exist_ok=True)
        values = {
            "cache": prefix / "cache",
            "gunicorn_port": self.gunicorn_port,
            "nginx_port": self.nginx_port,
            "static_root": self.work / "var" / "staticfiles",
            "gzip_port": self.gzip_port,
        }
        (prefix / "noroshi.conf").write_text(render_shipped(SHIPPED_CONF.read_text(), values))
        main = prefix / "nginx.conf"
        main.write_text(
            MAIN_CONF.format(
                user="user root;\n" if os.geteuid() == 0 else "",
                prefix=prefix,
                mime_types=mime_types_path(),
                open_files=resource.getrlimit(resource.RLIMIT_NOFILE)[0],
                reference_port=self.reference_port,
            )
        )
        return main

    def start_nginx(self) -> None:
        conf = self.nginx_conf()
        prefix = str(conf.parent)
        check = subprocess.run(
            ["nginx", "-t", "-q", "-p", prefix, "-c", str(conf)],
            capture_output=True,
            text=True,
            timeout=30,
        )
        if check.returncode != 0:
            raise RuntimeError(f"nginx rejected the rendered config:\n{check.stderr}")
        process = self.start(["nginx", "-p", prefix, "-c", str(conf)], "nginx.log")
        wait_for(f"http://127.0.0.1:{self.reference_port}/", process)
        wait_for(f"http://127.0.0.1:{self.nginx_port}/healthz", process)

    def upstream_log_size(self) -> int:
        path = self.work / "nginx" / "upstream.log"
        return path.stat().st_size if path.exists() else 0

    def upstream_requests_since(self, offset: int) -> int:
        """Requests nginx sent upstream since `offset` of its log (refreshes included)."""
        path = self.work / "nginx" / "upstream.log"
        if not path.exists():
            return 0
        with path.open("rb") as handle:
            handle.seek(offset)
            lines = handle.read().decode(errors="replace").splitlines()
        # $upstream_addr is the 4th field; "-" marks a request answered from the cache.
        return sum(1 for line in lines if len(line.split()) > 3 and line.split()[3] != "-")

    def close(self) -> None:
        for process in reversed(self.processes):
            stop(process)
        self.processes.clear()
        if self.env.get("REDIS_URL"):
            forget_redis_keys(self.env)
        if self.owns_work and not self.keep:
            shutil.rmtree(self.work, ignore_errors=True)


def raise_open_files(wanted: int = 65536) -> None:
    """Let this process (and wrk, nginx, its children) hold a surge's connections."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def render_shipped(text: str, values: dict) -> str:
    for line, replacement in SITE_LINES:
        count = text.count(line)
        if count != 1:
            raise RuntimeError(
                f"deploy/nginx/noroshi.conf has {count} copies of {line!r}, not 1: "
                "update SITE_LINES in bench/page/stack.py"
            )
        text = text.replace(line, replacement.format(**values))
    return text


def mime_types_path() -> str:
    for candidate in ("/etc/nginx/mime.types", "/usr/local/nginx/conf/mime.types"):
        if Path(candidate).exists():
            return candidate
    raise RuntimeError("nginx's mime.types not found")


def program(process: subprocess.Popen) -> str:
    args = process.args
    return str(args[0] if isinstance(args, list) else args)


def stop(process: subprocess.Popen) -> None:
    """Stop one process we started (its own session), gracefully first."""
    if process.poll() is not None:
        return
    # nginx drains on QUIT, gunicorn on TERM.
    first = signal.SIGQUIT if Path(program(process)).name == "nginx" else signal.SIGTERM
    for sig, grace in ((first, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


def forget_redis_keys(env: dict[str, str]) -> None:
    code = (
        "import os, redis\n"
        "r = redis.Redis.from_url(os.environ['REDIS_URL'])\n"
        "keys = list(r.scan_iter(match=os.environ['CACHE_KEY_PREFIX'] + ':*', count=1000))\n"
        "r.delete(*keys) if keys else None\n"
    )
    subprocess.run([venv_python(), "-c", code], env=env, timeout=30, check=False)


def mask_password(url: str) -> str:
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in credentials else url
