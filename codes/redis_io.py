"""Redis for the redirect's hot path: one command per call on a connection the thread keeps.

redis-py's client adds retries, instrumentation and a connection-pool checkout to every
command; here that costs ~100 µs of CPU per call, five times the round trip itself. The two
hot-path commands (the lookup MGET and the scan buffer RPUSH) go through `HotRedis.execute`
instead; everything else uses the ordinary client (`.client`).
"""

from __future__ import annotations

import os
import threading

import redis

_registry_lock = threading.Lock()
_registry: dict[tuple[str, float], HotRedis] = {}


class HotRedis:
    def __init__(self, url: str, timeout: float):
        self.client = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout
        )
        pool = self.client.connection_pool
        self._connection_class = pool.connection_class
        self._connection_kwargs = pool.connection_kwargs
        self._local = threading.local()  # one connection per thread, made on first use

    def execute(self, *args):
        """Run one command; raises redis.RedisError like the client does."""
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
        except BaseException:
            # Timeouts and broken pipes leave the protocol state unknown: start afresh.
            connection.disconnect()
            raise


def hot_redis(url: str, timeout: float) -> HotRedis:
    """The shared HotRedis for a URL (the lookup cache and the scan buffer share one)."""
    key = (url, timeout)
    found = _registry.get(key)
    if found is None:
        with _registry_lock:
            found = _registry.setdefault(key, HotRedis(url, timeout))
    return found
