"""The Redis scan buffer: the request pushes one JSON event, a periodic task drains them.

Keys: new events are appended to BUFFER_KEY. The flusher (one at a time, under a Redis
lock) renames the whole buffer to PROCESSING_KEY, inserts it in batches and trims each batch
off only after its database transaction committed. A crash between commit and trim re-reads
that batch on the next run; the events' unique `event_id` makes the re-insert a no-op. So an
event leaves Redis only once it is in the database.

Web processes do not send one event per scan: `submit` queues the event in memory and a
thread of the process sends what has queued up every SCAN_BUFFER_LINGER_SECONDS in one RPUSH,
so a scan costs the request no round trip (with a linger of 0 each event is sent at once, by
the caller). On a graceful shutdown the queue is sent before the process exits; a process
killed outright loses at most that fraction of a second of scans, the same order as what a
Redis without persistence loses when it dies.

When Redis does not answer, the events are inserted directly instead (`push` returns False at
once for SCAN_BUFFER_RETRY_SECONDS after a failure, so a dead Redis does not cost every scan a
timeout), so nothing is lost either way.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from collections.abc import Callable

import redis
from django.conf import settings

from codes.redis_io import RecentlyDown, forget_outages, hot_redis

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


class _Sender:
    """The process's queue of events not yet in Redis, and the thread that sends them."""

    def __init__(self):
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._queue: list[tuple[str, Callable[[], None]]] = []
        self._pid = None

    def submit(self, payload: str, fallback: Callable[[], None]) -> None:
        with self._lock:
            self._ensure_thread()
            self._queue.append((payload, fallback))
            if len(self._queue) == 1:
                self._wake.notify()

    def queued(self) -> int:
        return len(self._queue)

    def send_now(self) -> None:
        """Send everything queued, in the calling thread."""
        with self._lock:
            batch, self._queue = self._queue, []
        _send(batch)

    def _ensure_thread(self) -> None:
        if self._pid != os.getpid():  # a thread does not survive fork(): start one per process
            self._pid = os.getpid()
            self._queue = []
            threading.Thread(target=self._run, name="scan-buffer-sender", daemon=True).start()

    def _run(self) -> None:
        pid = os.getpid()
        while os.getpid() == pid:
            with self._lock:
                while not self._queue:
                    self._wake.wait()
            # Let concurrent scans join the batch: one RPUSH carries them all.
            time.sleep(settings.SCAN_BUFFER_LINGER_SECONDS)
            try:
                self.send_now()
            except Exception:
                logger.exception("scan buffer sender failed")
            finally:
                _close_thread_connections()


def _send(batch: list[tuple[str, Callable[[], None]]]) -> None:
    for start in range(0, len(batch), 1000):
        part = batch[start : start + 1000]
        if push(*(payload for payload, _ in part)):
            continue
        for _, fallback in part:
            try:
                fallback()
            except Exception:
                # One scan's failure must not cost the others theirs.
                logger.exception("a buffered scan could not be recorded directly either")


def _close_thread_connections() -> None:
    # The sender thread serves no request, so nothing else closes a database connection it
    # opened for a fallback insert.
    from django.db import connections

    connections.close_all()


_sender = _Sender()


def submit(payload: str, fallback: Callable[[], None]) -> None:
    """Buffer one event; `fallback` records it directly if Redis cannot take it."""
    if settings.SCAN_BUFFER_LINGER_SECONDS <= 0:
        _send([(payload, fallback)])
    else:
        _sender.submit(payload, fallback)


def send_queued() -> None:
    """Send this process's queued events now (before a flush, at exit)."""
    _sender.send_now()


atexit.register(send_queued)


def pending() -> int:
    """Events not yet in the database: in Redis, and queued in this process."""
    client = get_client()
    return _sender.queued() + client.llen(BUFFER_KEY) + client.llen(PROCESSING_KEY)


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
