"""How much each API key is used: requests, errors and 429s over the last 24 hours and 30 days.

Counted in the shared cache (Redis in production) beside the rate limits, never in the
database: a request is counted in the rate limit's own round trip (`request_counters`), an
error when it is answered; an hour bucket (kept a little over a day) and a day bucket (kept a
little over 30 days) per counter. Reading a key's
usage sums 24 hour buckets and 30 day buckets with two multi-gets. Buckets are whole UTC hours
and days, so "last 24 hours" is the current hour and the 23 before it.

Like the rate limits, an unreachable cache loses counts rather than failing the request.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from django.core.cache import cache

from qrsite.api import counters

logger = logging.getLogger("qrsite.api")

KEY_PREFIX = "api:usage"
HOUR, DAY = 3600, 86400
HOURS_KEPT, DAYS_KEPT = 24, 30
COUNTERS = ("requests", "errors", "rate_limited")


@dataclass(frozen=True)
class Usage:
    requests_24h: int = 0
    errors_24h: int = 0
    rate_limited_24h: int = 0
    requests_30d: int = 0
    errors_30d: int = 0
    rate_limited_30d: int = 0


def _key(bucket: str, grain: str, start: int, counter: str) -> str:
    return f"{KEY_PREFIX}:{bucket}:{grain}{start}:{counter}"


def _counters_for(status: int) -> tuple[str, ...]:
    if status == 429:
        return ("requests", "errors", "rate_limited")
    if status >= 400:
        return ("requests", "errors")
    return ("requests",)


def _counter_keys(bucket: str, names, now: float) -> list[tuple[str, int]]:
    hour, day = int(now // HOUR) * HOUR, int(now // DAY) * DAY
    keys = []
    for counter in names:
        keys.append((_key(bucket, "h", hour, counter), HOUR * (HOURS_KEPT + 1)))
        keys.append((_key(bucket, "d", day, counter), DAY * (DAYS_KEPT + 1)))
    return keys


def request_counters(*, bucket: str, now: float | None = None) -> list[tuple[str, int]]:
    """The (key, expiry) pairs that count one request of `bucket`, for a caller that bumps
    them in a round trip it makes anyway (the rate limit's); then `usage_record` with
    ``requests_counted=True`` adds only the error counters."""
    return _counter_keys(bucket, ("requests",), time.time() if now is None else now)


def usage_record(
    *, bucket: str, status: int, now: float | None = None, requests_counted: bool = False
) -> None:
    """Count one answered request of `bucket` (a key's `key:<id>`) with its status."""
    names = _counters_for(status)
    if requests_counted:
        names = tuple(name for name in names if name != "requests")
    if not names:
        return
    keys = _counter_keys(bucket, names, time.time() if now is None else now)
    try:
        counters.bump(keys)
    except Exception:
        logger.warning("Usage counters unreachable; this request is not counted", exc_info=True)


def usage_for(*, bucket: str, now: float | None = None) -> Usage:
    """The bucket's counts over the last 24 hours and the last 30 days (today included)."""
    now = time.time() if now is None else now
    hour, day = int(now // HOUR) * HOUR, int(now // DAY) * DAY
    hours = [hour - i * HOUR for i in range(HOURS_KEPT)]
    days = [day - i * DAY for i in range(DAYS_KEPT)]
    wanted = {
        (counter, window): [_key(bucket, grain, start, counter) for start in starts]
        for counter in COUNTERS
        for window, grain, starts in (("24h", "h", hours), ("30d", "d", days))
    }
    try:
        found = cache.get_many([key for keys in wanted.values() for key in keys])
    except Exception:
        logger.warning("Usage counters unreachable", exc_info=True)
        found = {}
    totals = {
        f"{counter}_{window}": sum(int(found.get(key) or 0) for key in keys)
        for (counter, window), keys in wanted.items()
    }
    return Usage(**totals)
