"""Redis behind a TcpProxy, for the tests that take the cache away: the URL and the CACHES
setting that reach the real Redis through the proxy."""

import copy
import os
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings

from tests.e2e.tcp_proxy import TcpProxy


def require_redis() -> None:
    """Skip without Redis (the embedded setup); fail when CI requires the real services."""
    if settings.REDIS_URL:
        return
    if os.environ.get("NOROSHI_REQUIRE_SERVICES", "") in {"1", "true", "yes"}:
        pytest.fail("NOROSHI_REQUIRE_SERVICES is set but REDIS_URL is not")
    pytest.skip("needs Redis (REDIS_URL): the fault is a TCP proxy between Noroshi and Redis")


class RedisProxy:
    """A TcpProxy in front of settings.REDIS_URL (cut(), blackhole(), restore())."""

    def __init__(self) -> None:
        require_redis()
        self.real = urlsplit(settings.REDIS_URL)
        self.proxy = TcpProxy(self.real.hostname or "127.0.0.1", self.real.port or 6379).start()

    @property
    def url(self) -> str:
        auth, _, _ = self.real.netloc.rpartition("@")
        netloc = f"{auth}@127.0.0.1:{self.proxy.port}" if auth else f"127.0.0.1:{self.proxy.port}"
        return urlunsplit(self.real._replace(netloc=netloc))

    def caches(self, key_prefix: str) -> dict:
        """Noroshi's own Redis cache settings (timeouts, retries), through the proxy."""
        default = copy.deepcopy(settings.CACHES["default"])
        default.update(LOCATION=self.url, KEY_PREFIX=key_prefix)
        return {"default": default}

    def shutdown(self) -> None:
        self.proxy.shutdown()
