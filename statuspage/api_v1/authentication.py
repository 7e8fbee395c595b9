"""API keys on the management API: `Authorization: OAuth <key>` (Statuspage's form) or
`Authorization: Bearer <key>`.

A request that sends one of these is authenticated by the key alone: a key that is unknown,
revoked or expired, or whose user is deactivated, is refused with 401 and a message saying
which, and never falls back to the browser's console session. Each refusal is logged with the
client's address and the key's first characters (never the key), and counted per address
(statuspage.api_v1.throttling). The retired `Token <key>` scheme of DRF's tokens is refused
with a message saying what replaced it.
"""

import logging
import re
from datetime import UTC

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from incidents import audit_context, selectors, services
from incidents.models import ApiKey
from incidents.models.api_keys import PREFIX_LENGTH
from notify.abuse import client_ip
from statuspage.api_v1.throttling import FailedAuthenticationThrottle

logger = logging.getLogger(__name__)

KEY_SCHEMES = frozenset({"oauth", "bearer"})
RETIRED_SCHEMES = frozenset({"token"})
RETIRED = (
    "DRF tokens were replaced by API keys: send one as `Authorization: OAuth <key>` or "
    "`Authorization: Bearer <key>`."
)


def offered_credentials(request) -> tuple[str, str] | None:
    """The scheme (lower case) and credentials of an Authorization header this module answers
    for, else None. (Works on Django's request too: the second-factor middleware asks.)"""
    scheme, _, credentials = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    scheme = scheme.lower()
    if scheme in KEY_SCHEMES or scheme in RETIRED_SCHEMES:
        return scheme, credentials.strip()
    return None


def logged_prefix(secret: str) -> str:
    """The first characters of an offered key, for the log: never the key, and nothing a key
    cannot contain (the header is the client's to write)."""
    prefix = secret[:PREFIX_LENGTH]
    return prefix if re.fullmatch(r"[A-Za-z0-9_-]*", prefix) else "(not a key)"


def refusal(api_key: ApiKey | None) -> str:
    """Why `api_key` (None: a secret no key has) may not be used now; "" when it may."""
    if api_key is None:
        return "This API key is not known."
    if api_key.revoked_at is not None:
        return "This API key was revoked."
    if api_key.expires_at is not None and api_key.is_expired():
        expired = api_key.expires_at.astimezone(UTC)
        return f"This API key expired at {expired:%Y-%m-%d %H:%M:%S} UTC."
    if not api_key.user.is_active:
        return "This API key's user is deactivated."
    return ""


class ApiKeyAuthentication(BaseAuthentication):
    """Authenticate by API key: `request.user` is the key's user, `request.auth` the ApiKey.
    Requests without such a header are left to the next authentication (the session)."""

    def authenticate(self, request: Request):
        offered = offered_credentials(request)
        if offered is None:
            return None
        scheme, secret = offered
        failures = FailedAuthenticationThrottle()
        failures.refuse_if_blocked(request)
        address = client_ip(request)
        api_key, reason = None, RETIRED if scheme in RETIRED_SCHEMES else ""
        if not reason:
            api_key = selectors.api_key_for_secret(secret)
            reason = refusal(api_key) if secret else "The Authorization header has no key."
        if reason or api_key is None:
            logger.warning(
                "API key %s… from %s refused: %s", logged_prefix(secret), address, reason
            )
            failures.note_failure()
            raise exceptions.AuthenticationFailed(reason)
        # The audit rows of this request's writes name the key (never the secret).
        audit_context.narrow_source(f"api key {api_key.prefix}")
        services.note_api_key_use(api_key, address=address)
        return api_key.user, api_key

    def authenticate_header(self, request: Request) -> str:
        # Answering 401 (not 403) to a request without credentials needs a challenge.
        return 'Bearer realm="api"'


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI document (drf-spectacular) describes ApiKeyAuthentication."""

    target_class = ApiKeyAuthentication
    name = "apiKey"

    def get_security_definition(self, auto_schema) -> dict:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "An API key, as `OAuth <key>` (Statuspage's form) or `Bearer <key>`; made in "
                "the console (API keys) or by `manage.py create_api_key USER`."
            ),
        }
