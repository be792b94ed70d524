"""The Redis scan buffer: web processes push JSON events, a periodic task drains them.

Keys: new events are appended to BUFFER_KEY. The flusher (one at a time, under a Redis
lease) renames the whole buffer to PROCESSING_KEY, inserts it in batches and trims each batch
off only after its database transaction committed. A crash between commit and trim re-reads
that batch on the next run; the events' unique `event_id` makes the re-insert a no-op. So an
event leaves Redis only once it is in the database.

The lease is short (LEASE_SECONDS) and renewed after every batch, so a flusher whose worker
was killed holds up flushing for seconds, not for a whole run. Every change to the lists
(trim, rename) is made by a script that first checks the lease is still this flusher's: one
that lost it (paused past the lease, then resumed) could otherwise trim events the new holder
has not inserted yet. It may insert a batch the new holder inserts too; that is a no-op.

Web processes push events in batches (analytics.batching), one RPUSH each.

When Redis does not answer, the events are inserted directly instead (`push` returns False at
once for SCAN_BUFFER_RETRY_SECONDS after a failure, so a dead Redis does not cost every scan a
timeout), so nothing is lost either way.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable

import redis
from django.conf import settings

from qrsite import metrics
from qrsite.redis_io import RecentlyDown, forget_outages, hot_redis

logger = logging.getLogger(__name__)

BUFFER_KEY = "qrsite:scans:buffer"
PROCESSING_KEY = "qrsite:scans:processing"
LOCK_KEY = "qrsite:scans:flush-lock"
# Seconds a flusher's claim lasts unless renewed (after every batch): a killed flusher stops
# the flushing for at most this long. A batch that takes longer is not lost: the next holder
# inserts it again, as a no-op for what the first one committed.
LEASE_SECONDS = 5.0

# KEYS: lease, processing, buffer. ARGV: token, lease ms, "trim" or "take", trim count.
# Returns -1 when the lease is no longer ours (nothing changed), else 1 when PROCESSING_KEY
# holds events to insert, 0 when both lists are empty.
_GUARDED_STEP = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
if ARGV[3] == 'trim' then
  redis.call('LTRIM', KEYS[2], ARGV[4], -1)
  return 1
end
if redis.call('LLEN', KEYS[2]) > 0 then return 1 end
if redis.call('EXISTS', KEYS[3]) == 0 then return 0 end
redis.call('RENAME', KEYS[3], KEYS[2])
return 1
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


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
            metrics.RECORDING_FALLBACKS.inc(len(part))
            fallback(part)


def pending() -> int:
    """Events waiting in Redis."""
    client = get_client()
    return client.llen(BUFFER_KEY) + client.llen(PROCESSING_KEY)


def drain(
    handle_batch: Callable[[list[bytes]], None],
    *,
    batch_size: int,
    max_seconds: float,
    lease_seconds: float | None = None,
) -> int:
    """Feed buffered events to `handle_batch` (which must commit them) until the buffer is
    empty or `max_seconds` passed. Returns how many events were handled; 0 when another
    flusher holds the lease."""
    client = get_client()
    token = secrets.token_hex(16)
    lease_ms = int((lease_seconds or LEASE_SECONDS) * 1000)
    if not client.set(LOCK_KEY, token, nx=True, px=lease_ms):
        return 0
    step = client.register_script(_GUARDED_STEP)
    keys = [LOCK_KEY, PROCESSING_KEY, BUFFER_KEY]
    handled = 0
    deadline = time.monotonic() + max_seconds
    try:
        while time.monotonic() < deadline:
            items = client.lrange(PROCESSING_KEY, 0, batch_size - 1)
            if not items:
                # Atomic: pushes after this go to a fresh BUFFER_KEY.
                taken = step(keys=keys, args=[token, lease_ms, "take", 0])
                if taken == 1:
                    continue
                if taken == -1:
                    logger.warning("scan flush lease lost; another flusher goes on")
                break
            handle_batch(items)
            if step(keys=keys, args=[token, lease_ms, "trim", len(items)]) == -1:
                logger.warning("scan flush lease lost mid-flush; another flusher goes on")
                break
            handled += len(items)
    finally:
        client.register_script(_RELEASE)(keys=[LOCK_KEY], args=[token])
    return handled
