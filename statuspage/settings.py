"""Noroshi settings, read from environment variables only (documented in .env.example), which a
`.env` file beside manage.py may supply (statuspage.envfile; the real environment wins).

With no variables set, Noroshi runs embedded: SQLite in var/, Celery on kombu's filesystem
transport (no broker server), a file-based cache and e-mail written to files. Production sets
DATABASE_URL (PostgreSQL) and REDIS_URL.
"""

import ipaddress
import os
import re
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from statuspage.beat_schedule import beat_schedule, static_export_schedule
from statuspage.broker_options import transport_options
from statuspage.envfile import env_bool, env_list, load_env_file, web_port

# `.env` first, so that every variable below may come from it (the environment wins).
load_env_file()

BASE_DIR = Path(__file__).resolve().parent.parent
# A pytest-xdist worker (xdist sets PYTEST_XDIST_WORKER, gw0, gw1…, before the settings load)
# that is given no var/ gets one of its own, var/xdist/gw0…: tests running side by side must not
# share snapshots, metrics, the filesystem broker or mail. A process that a test starts with
# NOROSHI_VAR_DIR keeps exactly that folder.
_XDIST_WORKER = "" if os.environ.get("NOROSHI_VAR_DIR") else os.environ.get("PYTEST_XDIST_WORKER")
VAR_DIR = Path(
    os.environ.get("NOROSHI_VAR_DIR")
    or (BASE_DIR / "var" / "xdist" / _XDIST_WORKER if _XDIST_WORKER else BASE_DIR / "var")
).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)
# Process counters (incidents.metrics) of every process on this host, summed by /metrics. Set
# before anything imports prometheus_client, which reads it once. (An empty value, as an env
# file may give, would be the current directory: the default then. An xdist worker's are its
# own too: the run's controller, which loaded these settings before starting it, left var/'s in
# the environment.)
if _XDIST_WORKER or not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(VAR_DIR / "metrics")
PROMETHEUS_MULTIPROC_DIR = os.environ["PROMETHEUS_MULTIPROC_DIR"]
Path(PROMETHEUS_MULTIPROC_DIR).mkdir(parents=True, exist_ok=True)


def embedded_secret_key() -> str:
    # The embedded default keeps one generated key in var/ so sessions and signed links survive
    # restarts; production must set SECRET_KEY.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY") or embedded_secret_key()
DEBUG = env_bool("DEBUG")
SITE_URL = (os.environ.get("SITE_URL") or f"http://127.0.0.1:{web_port()}").rstrip("/")
ALLOWED_HOSTS = [
    *env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]"),
    urlsplit(SITE_URL).hostname or "localhost",
]
CSRF_TRUSTED_ORIGINS = [SITE_URL]
# Behind a TLS-terminating proxy (deploy/nginx) that sets X-Forwarded-Proto: opt in.
if env_bool("TRUST_X_FORWARDED_PROTO"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# An https SITE_URL is all it takes: HSTS (NOROSHI_HSTS_SECONDS, a year; its subdomains too
# unless NOROSHI_HSTS_INCLUDE_SUBDOMAINS=0), cookies sent over https only, and plain http
# redirected — but the probes, which load balancers ask over http. Behind a proxy, Django
# sees https only through the header above (statuspage.checks warns). Asking browsers to
# preload HSTS is a commitment for the whole domain: NOROSHI_HSTS_PRELOAD=1 opts in.
SECURE_REDIRECT_EXEMPT = [r"^(?:healthz|readyz|metrics)$"]
if urlsplit(SITE_URL).scheme == "https":
    SECURE_HSTS_SECONDS = int(os.environ.get("NOROSHI_HSTS_SECONDS") or 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("NOROSHI_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
SECURE_HSTS_PRELOAD = env_bool("NOROSHI_HSTS_PRELOAD")  # sent only with HSTS itself
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# No page of ours has an inline script, nor an inline style but the brand colours' <style>,
# which a public page's own policy allows by its hash (statuspage.page_frame.page_response):
# nothing else may run or style it, and no other site may frame it (django-csp; the console
# included).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "drf_spectacular_sidecar",  # the API docs' scripts and styles, served here (no CDN)
    "statuspage",
    "incidents",
    "notify",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # /healthz and /readyz answer a load balancer probing by address, before the Host check.
    "statuspage.middleware.ProbeMiddleware",
    # NUL, bad UTF-8 or overlong segments in the path: 404 before anything reads them.
    "statuspage.middleware.MalformedPathMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Cached public pages leave here; everything after it is for the rest.
    "statuspage.middleware.PublicPageMiddleware",
    # Every write's audit row names its source and client address (incidents.audit_context).
    "statuspage.middleware.AuditSourceMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "statuspage.middleware.ConsoleLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A staff session passes its second factor (TOTP) before the console or the API serve it.
    "django_otp.middleware.OTPMiddleware",
    "statuspage.second_factor.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A view that lost the database answers a plain 503 (statuspage.errors), not a 500.
    "statuspage.middleware.DatabaseOutageMiddleware",
    # Console sessions end after NOROSHI_SESSION_IDLE_SECONDS idle or _MAX_SECONDS in all.
    "statuspage.console_sessions.ConsoleSessionMiddleware",
    # Refused sign-ins are counted per user name and per address; past the limit, locked out.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "statuspage.urls"
WSGI_APPLICATION = "statuspage.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'noroshi.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one SQLite file: WAL lets readers run beside the writer, and
    # IMMEDIATE transactions take the write lock up front instead of failing on upgrade.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not memory, so that a worker process started by the end-to-end tests sees it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that stops answering (a partition, a server hung mid-failover) must fail a
    # request or a task within seconds, never hold it forever: the web then answers from its
    # snapshots or with a clear 503, and the worker retries. Options in DATABASE_URL win.
    _statement_ms = int(float(os.environ.get("DB_STATEMENT_TIMEOUT", "30")) * 1000)
    for _option, _value in {
        # Seconds to establish a connection (libpq counts at least 2).
        "connect_timeout": int(os.environ.get("DB_CONNECT_TIMEOUT", "3")),
        # The server cancels a statement running longer (0: never); a lock wait counts too.
        "options": f"-c statement_timeout={_statement_ms}",
        # A connection whose server vanished mid-query: found dead after 5 s of silence and
        # 3 unanswered probes 5 s apart, or after 20 s of data sent and never acknowledged.
        "keepalives": 1,
        "keepalives_idle": 5,
        "keepalives_interval": 5,
        "keepalives_count": 3,
        "tcp_user_timeout": 20000,
    }.items():
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault(_option, _value)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


# --- Management API (DRF): API keys (incidents.models.ApiKey), or the console's session ------
def api_rate(name: str, default: str) -> str:
    """A rate as DRF's throttles read it ("120/min"); anything else stops every process at
    start, with the value in the error."""
    value = os.environ.get(name) or default
    if not re.fullmatch(r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)", value):
        raise ImproperlyConfigured(f"{name}={value!r}: expected a rate such as 120/min")
    return value


# Requests per API key (429 with Retry-After past it), and refused keys per client address
# before every key from there is refused for a while (statuspage.api_v1.throttling). Both
# are counted in the cache; while it is unreachable they are not applied.
NOROSHI_API_RATE = api_rate("NOROSHI_API_RATE", "120/min")
NOROSHI_API_AUTH_FAILURE_RATE = api_rate("NOROSHI_API_AUTH_FAILURE_RATE", "30/min")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "statuspage.api_v1.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["statuspage.api_v1.throttling.ApiKeyRateThrottle"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Noroshi management API",
    "DESCRIPTION": (
        "Run a Noroshi status page from scripts, shaped like Atlassian Statuspage's management "
        "API: the same paths under /api/v1/pages/{page_id}/, request envelopes, fields and "
        "status values. Authenticate with `Authorization: OAuth <key>` (or `Bearer <key>`). "
        "Every POST, PATCH and PUT accepts an `Idempotency-Key`. Errors are "
        '`{"error": "…", "fields": {"name": "what was expected"}}`.'
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Statuspage's paths also answer with a ".json" suffix; the schema lists each once.
    "PREPROCESSING_HOOKS": ["statuspage.api_v1.schema.without_json_suffix"],
    "ENUM_NAME_OVERRIDES": {
        "ComponentStatusEnum": "statuspage.api_v1.serializers.COMPONENT_STATUSES",
        "IncidentStatusEnum": "statuspage.api_v1.schema.INCIDENT_STATUS_VALUES",
        "PostableStatusEnum": "statuspage.api_v1.serializers.POSTABLE_STATUSES",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Redis, cache and Celery -----------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")

# The public page never waits long on the cache (incidents.shared_cache): each Redis call gets
# this many seconds to connect and to answer, and after a failure a process skips the cache
# for NOROSHI_CACHE_RETRY_SECONDS. While the page's stamp cannot be read, a process renders
# each page afresh at most every NOROSHI_LOCAL_PAGE_SECONDS; beat moves the stamp past
# changes that could not mark it every NOROSHI_PAGE_RECONCILE_SECONDS.
NOROSHI_CACHE_TIMEOUT_SECONDS = float(os.environ.get("NOROSHI_CACHE_TIMEOUT_SECONDS", "0.5"))
NOROSHI_CACHE_RETRY_SECONDS = float(os.environ.get("NOROSHI_CACHE_RETRY_SECONDS", "5"))
NOROSHI_LOCAL_PAGE_SECONDS = float(os.environ.get("NOROSHI_LOCAL_PAGE_SECONDS", "2"))
NOROSHI_PAGE_RECONCILE_SECONDS = float(os.environ.get("NOROSHI_PAGE_RECONCILE_SECONDS", "10"))
# While an incident or maintenance is active, the open public page reads /api/v2/summary.json
# every this many seconds (at least 5) and updates itself in place (statuspage.views.live).
NOROSHI_LIVE_SECONDS = max(5, int(os.environ.get("NOROSHI_LIVE_SECONDS") or 30))
if REDIS_URL:
    from redis.backoff import NoBackoff
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.retry import Retry

    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "noroshi"),
            "OPTIONS": {
                "socket_connect_timeout": NOROSHI_CACHE_TIMEOUT_SECONDS,
                "socket_timeout": NOROSHI_CACHE_TIMEOUT_SECONDS,
                # One immediate retry, on a new connection, when one was dropped (a Redis
                # restart); never after a timeout, which would only double the wait.
                "retry": Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,)),
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "noroshi"),
        }
    }

# Snapshots of the public responses on disk (statuspage.snapshots), the last good rendering of
# each, served while the database is down: at most this many files, none older than this.
NOROSHI_SNAPSHOT_MAX_FILES = int(os.environ.get("NOROSHI_SNAPSHOT_MAX_FILES", "2000"))
NOROSHI_SNAPSHOT_MAX_AGE_DAYS = float(os.environ.get("NOROSHI_SNAPSHOT_MAX_AGE_DAYS", "30"))

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or REDIS_URL or "filesystem://"
BROKER_TIMEOUT = float(os.environ.get("NOROSHI_BROKER_TIMEOUT") or "1")
CELERY_BROKER_DIR = Path(os.environ.get("NOROSHI_BROKER_DIR") or VAR_DIR / "broker")
if CELERY_BROKER_URL.startswith("filesystem://"):
    for folder in ("queue", "processed", "control"):
        (CELERY_BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)
# Filesystem, Redis or RabbitMQ (amqp://): statuspage.broker_options says what each gets.
CELERY_BROKER_TRANSPORT_OPTIONS = transport_options(
    CELERY_BROKER_URL, timeout=BROKER_TIMEOUT, folder=CELERY_BROKER_DIR
)
CELERY_BROKER_CONNECTION_TIMEOUT = BROKER_TIMEOUT  # the connect, on AMQP
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 0}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Celery's scheduler, which also publishes beat's heartbeat (notify.liveness).
CELERY_BEAT_SCHEDULER = "statuspage.celery:BeatScheduler"
CELERY_TIMEZONE = "UTC"
MAINTENANCE_CHECK_SECONDS = float(os.environ.get("NOROSHI_MAINTENANCE_CHECK_SECONDS", "15"))
CELERY_BEAT_SCHEDULE = beat_schedule(
    maintenance_seconds=MAINTENANCE_CHECK_SECONDS,
    reconcile_seconds=NOROSHI_PAGE_RECONCILE_SECONDS,
    sweep_seconds=float(os.environ.get("NOROSHI_SWEEP_SECONDS") or 5),
)

# The public page as static files, kept current by beat (statuspage.static_export): the folder
# (a link its exports replace), how often beat checks for a change (never exporting more often),
# at what age an export is redone without one, and where the folder is served (feeds' links).
NOROSHI_STATIC_EXPORT_DIR = os.environ.get("NOROSHI_STATIC_EXPORT_DIR", "")
NOROSHI_STATIC_EXPORT_SECONDS = float(os.environ.get("NOROSHI_STATIC_EXPORT_SECONDS") or 60)
NOROSHI_STATIC_EXPORT_REFRESH_SECONDS = float(
    os.environ.get("NOROSHI_STATIC_EXPORT_REFRESH_SECONDS") or 3600
)
NOROSHI_STATIC_EXPORT_BASE_URL = os.environ.get("NOROSHI_STATIC_EXPORT_BASE_URL", "")
if NOROSHI_STATIC_EXPORT_DIR:
    CELERY_BEAT_SCHEDULE |= static_export_schedule(seconds=NOROSHI_STATIC_EXPORT_SECONDS)

# --- Notifications -------------------------------------------------------------------------
# A delivery still `sending` this long after its claim by a process without a heartbeat
# belongs to one that died mid-send (a worker's own claims are taken over by its heartbeat).
NOTIFY_STUCK_SECONDS = float(os.environ.get("NOROSHI_STUCK_SECONDS", "300"))
# A pending delivery handed to the broker this long ago is handed over again by the sweep
# (the claim makes the second copy harmless).
NOTIFY_REQUEUE_SECONDS = float(os.environ.get("NOROSHI_REQUEUE_SECONDS", "60"))
# Deliveries a worker claims in one statement. Each message's outcome is written before the
# next message leaves, so a killed worker leaves at most one `unknown` whatever the group; the
# rows it claimed and had not tried go back to pending when it is taken over.
NOTIFY_CLAIM_GROUP = int(os.environ.get("NOROSHI_CLAIM_GROUP", "16"))
# A refused or unreachable send is tried again after this many seconds, doubling with each
# try, at most the ceiling (tests and drills shorten it).
NOTIFY_RETRY_BASE_SECONDS = float(os.environ.get("NOROSHI_RETRY_BASE_SECONDS", "30"))
NOTIFY_RETRY_MAX_SECONDS = float(os.environ.get("NOROSHI_RETRY_MAX_SECONDS", "1800"))
# However many tries that takes, until the delivery is this old (from its fan-out): only then
# does a refused or unreachable send end `failed` ("gave up after 24 h: <last error>").
NOTIFY_RETRY_GIVE_UP_SECONDS = float(os.environ.get("NOROSHI_RETRY_GIVE_UP_SECONDS", "86400"))
# Liveness (notify/liveness.py): every worker process and beat writes a heartbeat row this
# often; one not written for NOROSHI_HEARTBEAT_DEAD_SECONDS is dead — a live worker takes over
# a dead worker's deliveries, and /readyz reports a dead beat. Dead + one beat ≤ 10 s.
NOROSHI_HEARTBEAT_SECONDS = float(os.environ.get("NOROSHI_HEARTBEAT_SECONDS", "2"))
NOROSHI_HEARTBEAT_DEAD_SECONDS = float(os.environ.get("NOROSHI_HEARTBEAT_DEAD_SECONDS", "6"))
# Worker and beat lower their CPU priority to this niceness at start (statuspage.celery), so
# that on a shared machine the web keeps serving the page at speed during a big fan-out: the
# lowest (19), since a fan-out takes every cycle the page leaves idle anyway (bench/worstday:
# at 10 the fan-out's first seconds took a quarter of the page's throughput). 0: as started.
NOROSHI_WORKER_NICE = int(os.environ.get("NOROSHI_WORKER_NICE", "19"))

# The channels (webhook, Slack, SMS, e-mail), sign-up limits and the storm guard.
from statuspage.channel_settings import *  # noqa: E402, F403

EMAIL_FILE_PATH = str(VAR_DIR / "mail")  # the embedded default's e-mail, one file each

# Proxies of ours that append to X-Forwarded-For (deploy/nginx: 1); 0 ignores the header.
NOROSHI_TRUSTED_PROXIES = int(os.environ.get("NOROSHI_TRUSTED_PROXIES", "0"))

# /readyz (statuspage.health): a worker is down when no running worker process has beaten for
# this many seconds (they beat every few seconds); beat likewise, within a minute of stopping.
NOROSHI_WORKER_STALE_SECONDS = float(os.environ.get("NOROSHI_WORKER_STALE_SECONDS", "15"))
NOROSHI_BEAT_STALE_SECONDS = float(os.environ.get("NOROSHI_BEAT_STALE_SECONDS", "30"))
# /metrics (statuspage.metrics) answers a request bearing this token (Authorization: Bearer …)
# or coming from one of these networks (CIDR, the client found as notify.abuse.client_ip
# finds it); anyone else gets a 404. Both empty: /metrics is off.
NOROSHI_METRICS_TOKEN = os.environ.get("NOROSHI_METRICS_TOKEN", "")
# A malformed network stops every process at start, with the value in the error.
NOROSHI_METRICS_NETWORKS = [
    str(ipaddress.ip_network(network, strict=False))
    for network in env_list("NOROSHI_METRICS_NETWORKS")
]

# --- Auth, i18n, static ----------------------------------------------------------------------
# Console sign-ins (django-axes): NOROSHI_LOGIN_FAILURE_LIMIT refused passwords in a row for a
# user name, or from an address, lock that user name or address out for
# NOROSHI_LOGIN_LOCKOUT_SECONDS (429, logged; the console's "Access attempts" lists them and
# an owner can lift one early). A sign-in that succeeds clears its user's count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("NOROSHI_LOGIN_FAILURE_LIMIT") or 5)
AXES_COOLOFF_TIME = timedelta(seconds=int(os.environ.get("NOROSHI_LOGIN_LOCKOUT_SECONDS") or 900))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_CLIENT_IP_CALLABLE = "notify.abuse.client_ip"
# The log names the address; a user name stays masked (people type passwords into it).
AXES_SENSITIVE_PARAMETERS = ["username"]
AXES_LOCKOUT_CALLABLE = "statuspage.lockout.locked_out"
# The name an authenticator app shows beside the console's codes.
OTP_TOTP_ISSUER = f"Noroshi {urlsplit(SITE_URL).netloc}"
# The on-call console's sessions: long enough for a night's incident, not for a lost laptop.
NOROSHI_SESSION_IDLE_SECONDS = int(os.environ.get("NOROSHI_SESSION_IDLE_SECONDS") or 8 * 3600)
NOROSHI_SESSION_MAX_SECONDS = int(os.environ.get("NOROSHI_SESSION_MAX_SECONDS") or 24 * 3600)
SESSION_COOKIE_AGE = NOROSHI_SESSION_MAX_SECONDS
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ja", "日本語")]
LOCALE_PATHS = [BASE_DIR / "statuspage" / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
