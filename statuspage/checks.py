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
