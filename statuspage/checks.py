"""Deployment checks of our own, beside Django's (`manage.py check --deploy`)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def https_behind_a_proxy(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """An https SITE_URL redirects plain http to https. Behind a proxy that ends TLS, every
    request reaches Django as http unless the proxy's X-Forwarded-Proto is trusted: each
    would be redirected to itself."""
    https = urlsplit(settings.SITE_URL).scheme == "https"
    if https and settings.SECURE_SSL_REDIRECT and not settings.SECURE_PROXY_SSL_HEADER:
        return [
            checks.Warning(
                "SITE_URL is https but TRUST_X_FORWARDED_PROTO is off.",
                hint="Behind a proxy that ends TLS (deploy/nginx), set TRUST_X_FORWARDED_PROTO=1; "
                "with TLS ended by gunicorn itself, ignore this.",
                id="noroshi.W001",
            )
        ]
    return []


@checks.register(checks.Tags.database, deploy=True)
def embedded_backends(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """Without DATABASE_URL and REDIS_URL every process quietly runs on the embedded default
    (SQLite, a file cache and a broker in var/): made for `make run` on one machine, never
    shared with a second host. A command run without the production environment file (a
    manage.py without NOROSHI_ENV_FILE) looks just like that."""
    found: list[checks.CheckMessage] = []
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        found.append(
            checks.Warning(
                f"DATABASE_URL is not set: this runs on the embedded SQLite database in "
                f"{settings.VAR_DIR}.",
                hint="Set DATABASE_URL to the PostgreSQL database (in the environment file, "
                "read by manage.py through NOROSHI_ENV_FILE).",
                id="noroshi.W002",
            )
        )
    if not settings.REDIS_URL:
        found.append(
            checks.Warning(
                f"REDIS_URL is not set: the cache and the broker are files in "
                f"{settings.VAR_DIR}, which no other host shares.",
                hint="Set REDIS_URL (and CELERY_BROKER_URL for RabbitMQ) in the environment file.",
                id="noroshi.W003",
            )
        )
    return found
