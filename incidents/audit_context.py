"""Where the write being made comes from, for its audit row: the source ("console", "api key
ab12cd34", "beat", …), the client's address, and the member making the request.

The web layer sets it once per request (statuspage.middleware.AuditSourceMiddleware, which
knows the client's address as the trusted-proxy setting defines it), the management API and
the Twilio webhooks narrow it once they know who called, and Celery sets it per task
(statuspage.celery). incidents.services.audit.record_audit reads it. So the services keep their
signatures: no `request` is threaded through the domain, and a service called from a task, a
command or a test records where it really ran.

A contextvars.ContextVar rather than a thread-local: each request or task sees its own value
whether it runs in a thread (gunicorn, Celery's pool), a process or an asyncio task, and
resetting it with the token of its `set` restores what was there before — a task run eagerly
inside a request gives the request its own source back. Outside any request or task (a
management command, the shell) the source is "command".
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass, replace
from typing import Any

CONSOLE = "console"
API = "api"
WEB = "web"
TWILIO = "twilio"
EMAIL_PROVIDER = "e-mail provider"
WORKER = "worker"
BEAT = "beat"
COMMAND = "command"


def nobody() -> None:
    return None


@dataclass(frozen=True)
class AuditSource:
    """How a write came (`source`), from which client address (None: not over the network),
    and who was signed in to ask for it (`member()`, resolved when a row is written: the
    request's user is known only once authentication ran)."""

    source: str = COMMAND
    address: str | None = None
    member: Callable[[], Any] = nobody


# Outside any request or task: a management command or the shell (frozen: safe to share).
OUTSIDE = AuditSource()
_current: ContextVar[AuditSource] = ContextVar("noroshi_audit_source", default=OUTSIDE)


def current_source() -> AuditSource:
    """Where the write being made now comes from."""
    return _current.get()


def enter_source(source: AuditSource) -> Token:
    """Make `source` the current one until `leave_source(token)`."""
    return _current.set(source)


def leave_source(token: Token) -> None:
    _current.reset(token)


@contextmanager
def audit_source(source: str, *, address: str | None = None) -> Iterator[AuditSource]:
    """Within the block, writes come from `source` (and `address`)."""
    token = enter_source(AuditSource(source=source, address=address))
    try:
        yield current_source()
    finally:
        leave_source(token)


def narrow_source(source: str, *, member: Callable[[], Any] | None = None) -> None:
    """Name the source more precisely once the caller is known (an API key, Twilio), keeping
    the address; lasts until the request's own source is left (its middleware resets it)."""
    current = current_source()
    _current.set(replace(current, source=source, member=member or current.member))
