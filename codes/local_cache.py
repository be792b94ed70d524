"""Process-local copies of Redis keys, dropped the moment Redis says they changed.

Redis's server-assisted client-side caching (`CLIENT TRACKING ... BCAST PREFIX`): one
listener connection per process receives an invalidation message for every write to a key
under the prefix, whoever wrote it, and a thread drops the local copy. A scan then finds its
redirect entry in memory instead of paying a Redis round trip, which on a busy 2-core
machine costs more than the rest of the redirect together.

Correctness rules:
- A copy is only used while the listener is connected and answering its pings; when it is
  not, every lookup goes to Redis (and the copies are thrown away on reconnect).
- A value read from Redis (or the database) is kept only if no invalidation arrived while it
  was being read (`generation` before and after): otherwise a write that happened during the
  read could be missed for good.
- Copies also expire after `max_age` seconds, a bound on any staleness nobody foresaw.
The writer's own process drops its copy synchronously (`drop`); other processes follow when
the invalidation message arrives, well under a millisecond later on one network.
"""

from __future__ import annotations

import logging
import os
import threading
import time

import redis
from redis.connection import Connection

logger = logging.getLogger(__name__)

PING_EVERY_SECONDS = 1.0
ANSWER_WITHIN_SECONDS = 2.0
LISTENER_NAME = "qrsite-redirect-listener"  # how it shows in CLIENT LIST


class TrackedLocalCache:
    def __init__(self, url: str, prefix: str, *, key_to_local, max_age: float, max_items: int):
        self.url, self.prefix = url, prefix
        self._key_to_local = key_to_local  # Redis key -> local key (or None to ignore)
        self.max_age, self.max_items = max_age, max_items
        self._items: dict[str, tuple[float, object]] = {}
        self._generation = 0
        self._live = False
        self._pid = None
        self._lock = threading.Lock()

    # -- reads and writes, from request threads ------------------------------------------------

    def get(self, key: str):
        """The local copy, or None (also while the listener is not live)."""
        self._ensure_listener()
        if not self._live:
            return None
        found = self._items.get(key)
        if found is None:
            return None
        stored_at, value = found
        if time.monotonic() - stored_at > self.max_age:
            self._items.pop(key, None)
            return None
        return value

    def generation(self) -> int | None:
        """Take before reading the value from elsewhere; None when nothing may be kept."""
        return self._generation if self._live else None

    def put(self, key: str, value, generation: int | None) -> None:
        """Keep `value` unless an invalidation arrived since `generation` was taken."""
        if generation is None:
            return
        with self._lock:
            if not self._live or generation != self._generation:
                return
            if len(self._items) >= self.max_items:
                self._items.clear()
            self._items[key] = (time.monotonic(), value)

    def drop(self, key: str) -> None:
        with self._lock:
            self._generation += 1
            self._items.pop(key, None)

    def is_live(self) -> bool:
        self._ensure_listener()
        return self._live

    # -- the listener thread -----------------------------------------------------------------

    def _ensure_listener(self) -> None:
        # Started lazily and again after fork(): a thread does not survive into a child.
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            self._pid = os.getpid()
            self._live = False
            self._items.clear()
            threading.Thread(target=self._run, name="redirect-cache-listener", daemon=True).start()

    def _set_live(self, live: bool) -> None:
        with self._lock:
            self._generation += 1
            self._items.clear()
            self._live = live

    def _on_invalidate(self, message) -> None:
        keys = message[1] if len(message) > 1 else None
        with self._lock:
            self._generation += 1
            if keys is None:  # Redis flushed its keys (FLUSHDB/FLUSHALL): drop everything
                self._items.clear()
                return
            for raw in keys:
                local = self._key_to_local(raw.decode() if isinstance(raw, bytes) else raw)
                if local is not None:
                    self._items.pop(local, None)

    def _run(self) -> None:
        pid = os.getpid()
        backoff = 0.5
        while os.getpid() == pid:
            connection = None
            try:
                connection = self._connect()
                backoff = 0.5
                self._set_live(True)
                self._listen(connection)
            except (redis.RedisError, OSError) as exc:
                if self._live:
                    logger.warning("redirect cache listener lost (%s); using Redis only", exc)
            finally:
                self._set_live(False)
                if connection is not None:
                    connection.disconnect()
            time.sleep(backoff)
            backoff = min(backoff * 2, 10.0)

    def _connect(self) -> Connection:
        kwargs = redis.connection.parse_url(self.url)
        kwargs.pop("connection_class", None)
        connection = Connection(
            **kwargs, protocol=3, socket_timeout=ANSWER_WITHIN_SECONDS, socket_connect_timeout=1.0
        )
        connection.connect()
        connection._parser.set_invalidation_push_handler(self._on_invalidate)
        connection.send_command("CLIENT", "SETNAME", LISTENER_NAME)
        connection.read_response()
        connection.send_command("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", self.prefix)
        if connection.read_response() != b"OK":
            raise redis.ConnectionError("CLIENT TRACKING refused")
        return connection

    def _listen(self, connection: Connection) -> None:
        while os.getpid() == self._pid:
            if connection.can_read(timeout=PING_EVERY_SECONDS):
                connection.read_response(push_request=True)  # invalidations call the handler
                continue
            # Quiet for a while: prove the connection still carries messages. A dead one
            # times out (socket_timeout) and the copies stop being used.
            connection.send_command("PING")
            while connection.read_response(push_request=True) != b"PONG":
                pass
