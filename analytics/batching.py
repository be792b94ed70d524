"""Scans leave a web process in batches: a queue in memory and one thread that sends it on.

The redirect answers first and queues its scan; every SCAN_LINGER_SECONDS the sender thread
hands what has queued up to `send` in one call (one RPUSH to the Redis buffer, or one
transaction in PostgreSQL), so a scan costs its request no round trip and the database one
commit per batch instead of one per scan. With a linger of 0 there is no thread: each scan
is sent on its own by the thread that submits it.

On a graceful shutdown (gunicorn's SIGTERM, and any normal exit) the queue is sent before the
process ends. A process killed outright loses what it had queued, at most one linger's worth.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
import weakref
from collections.abc import Callable

from django.conf import settings

logger = logging.getLogger(__name__)

_all: weakref.WeakSet[BatchSender] = weakref.WeakSet()


class BatchSender:
    def __init__(self, name: str, send: Callable[[list[str]], None]):
        self.name = name
        self._send = send
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._queue: list[str] = []
        # Held while a batch is on its way, so an exit waits for the batch the thread holds.
        self._sending = threading.Lock()
        self._pid: int | None = None
        _all.add(self)

    def submit(self, payload: str) -> None:
        if settings.SCAN_LINGER_SECONDS <= 0:
            self._send_safely([payload])
            return
        with self._lock:
            self._ensure_thread()
            self._queue.append(payload)
            if len(self._queue) == 1:
                self._wake.notify()

    def send_now(self) -> None:
        """Send everything queued, in the calling thread."""
        with self._sending:
            with self._lock:
                batch, self._queue = self._queue, []
            if batch:
                self._send_safely(batch)

    def _send_safely(self, batch: list[str]) -> None:
        try:
            self._send(batch)
        except Exception:
            logger.exception("%s: %d scans could not be sent", self.name, len(batch))

    def _ensure_thread(self) -> None:
        if self._pid != os.getpid():  # a thread does not survive fork(): one per process
            self._pid = os.getpid()
            self._queue = []
            threading.Thread(target=self._run, name=self.name, daemon=True).start()

    def _run(self) -> None:
        pid = os.getpid()
        while os.getpid() == pid:
            with self._lock:
                while not self._queue:
                    self._wake.wait()
            time.sleep(settings.SCAN_LINGER_SECONDS)  # let concurrent scans join the batch
            self.send_now()


def send_all_queued() -> None:
    """Send every sender's queue now (at exit, before a flush)."""
    for sender in list(_all):
        sender.send_now()


atexit.register(send_all_queued)
