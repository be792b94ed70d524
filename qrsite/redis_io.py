"""Redis for the redirect's hot path: one command per call on a connection the thread keeps.

redis-py's client adds retries, instrumentation and a connection-pool checkout to every
command; here that costs ~100 µs of CPU per call, five times the round trip itself. The two
hot-path commands (the lookup MGET and the scan buffer RPUSH) go through `HotRedis.execute`
instead; everything else uses the ordinary client (`.client`).

A Redis that does not answer is remembered for SCAN_BUFFER_RETRY_SECONDS: the scans in
that window skip it at once instead of each waiting for a timeout, and are recorded directly.
"""

from __future__ import annotations

import os
import threading
import time

import redis
from django.conf import settings

_registry_lock = threading.Lock()
_registry: dict[tuple[str, float], HotRedis] = {}


class RecentlyDown(redis.ConnectionError):
    """Raised without asking Redis, within the window after it last failed to answer."""


class HotRedis:
    def __init__(self, url: str, timeout: float):
        self.client = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout
        )
        self.down_until = 0.0
        pool = self.client.connection_pool
        self._connection_class = pool.connection_class
        self._connection_kwargs = pool.connection_kwargs
        self._local = threading.local()  # one connection per thread, made on first use

    def execute(self, *args):
        """Run one command; raises redis.RedisError like the client does."""
        if self.down_until and time.monotonic() < self.down_until:
            raise RecentlyDown("Redis did not answer a moment ago; not asking again yet")
        connection = getattr(self._local, "connection", None)
        # A connection inherited through fork() is shared with the parent: never reuse it.
        if connection is None or self._local.pid != os.getpid():
            connection = self._connection_class(**self._connection_kwargs)
            self._local.connection, self._local.pid = connection, os.getpid()
        try:
            connection.send_command(*args)
            return connection.read_response()
        except redis.ResponseError:
            raise  # the command failed; the connection is fine
        except BaseException as exc:
            # Timeouts and broken pipes leave the protocol state unknown: start afresh.
            connection.disconnect()
            if isinstance(exc, redis.ConnectionError | redis.TimeoutError):
                self.down_until = time.monotonic() + settings.SCAN_BUFFER_RETRY_SECONDS
            raise


def hot_redis(url: str, timeout: float) -> HotRedis:
    """The shared HotRedis for a URL (the lookup cache and the scan buffer share one)."""
    key = (url, timeout)
    found = _registry.get(key)
    if found is None:
        with _registry_lock:
            found = _registry.setdefault(key, HotRedis(url, timeout))
    return found


def forget_outages() -> None:
    """Ask every Redis again on the next command (tests, settings changes)."""
    for found in list(_registry.values()):
        found.down_until = 0.0
