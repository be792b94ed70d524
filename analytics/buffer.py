"""The Redis scan buffer: web processes push JSON events, a periodic task drains them.

Keys: new events are appended to BUFFER_KEY. The flusher (one at a time, under a Redis
lock) renames the whole buffer to PROCESSING_KEY, inserts it in batches and trims each batch
off only after its database transaction committed. A crash between commit and trim re-reads
that batch on the next run; the events' unique `event_id` makes the re-insert a no-op. So an
event leaves Redis only once it is in the database.

Web processes push events in batches (analytics.batching), one RPUSH each.

When Redis does not answer, the events are inserted directly instead (`push` returns False at
once for SCAN_BUFFER_RETRY_SECONDS after a failure, so a dead Redis does not cost every scan a
timeout), so nothing is lost either way.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import redis
from django.conf import settings

from qrsite.redis_io import RecentlyDown, forget_outages, hot_redis

logger = logging.getLogger(__name__)

BUFFER_KEY = "qrsite:scans:buffer"
PROCESSING_KEY = "qrsite:scans:processing"
LOCK_KEY = "qrsite:scans:flush-lock"


def _hot():
    # Sending happens after the response or in the sender thread, where nobody waits: a
    # generous timeout, because a reply that is merely late would otherwise count as a
    # failure and send the scans the slow way for SCAN_BUFFER_RETRY_SECONDS.
    return hot_redis(settings.SCAN_BUFFER_URL, settings.SCAN_BUFFER_SEND_TIMEOUT)


def get_client() -> redis.Redis:
    """The ordinary client for the flush (made lazily, after gunicorn forks)."""
    return _hot().client


def reset() -> None:
    """Forget a remembered outage (tests, settings changes)."""
    forget_outages()


def push(*payloads: str) -> bool:
    """Append events now; False when Redis is (recently found) unreachable."""
    if not settings.SCAN_BUFFER_URL:
        return False
    try:
        _hot().execute("RPUSH", BUFFER_KEY, *payloads)
    except RecentlyDown:
        return False
    except redis.RedisError:
        logger.warning("scan buffer unreachable; recording scans directly for a while")
        return False
    return True


def send(payloads: list[str], *, fallback: Callable[[list[str]], None]) -> None:
    """Push events to the buffer, or hand them to `fallback` (a direct insert) when Redis
    cannot take them."""
    for start in range(0, len(payloads), 1000):
        part = payloads[start : start + 1000]
        if not push(*part):
            fallback(part)


def pending() -> int:
    """Events waiting in Redis."""
    client = get_client()
    return client.llen(BUFFER_KEY) + client.llen(PROCESSING_KEY)


def drain(
    handle_batch: Callable[[list[bytes]], None], *, batch_size: int, max_seconds: float
) -> int:
    """Feed buffered events to `handle_batch` (which must commit them) until the buffer is
    empty or `max_seconds` passed. Returns how many events were handled; 0 when another
    flusher holds the lock."""
    client = get_client()
    lock = client.lock(LOCK_KEY, timeout=max_seconds + 60, blocking=False)
    if not lock.acquire(blocking=False):
        return 0
    handled = 0
    deadline = time.monotonic() + max_seconds
    try:
        while time.monotonic() < deadline:
            items = client.lrange(PROCESSING_KEY, 0, batch_size - 1)
            if not items:
                try:
                    # Atomic: pushes after this go to a fresh BUFFER_KEY.
                    client.rename(BUFFER_KEY, PROCESSING_KEY)
                except redis.ResponseError:  # no such key: the buffer is empty
                    break
                continue
            handle_batch(items)
            client.ltrim(PROCESSING_KEY, len(items), -1)
            handled += len(items)
    finally:
        try:
            lock.release()
        except redis.exceptions.LockError:
            logger.warning("scan flush lock expired before the flush finished")
    return handled
