"""Rate limits per key and scope, counted in the shared cache (Redis in production).

A fixed window per (caller, scope): the counter is created with `add` and bumped with `incr`,
both atomic in Redis, so every web process counts against the same budget. A window boundary
can let up to twice the limit through in a short burst; that is the price of one round trip
instead of a sorted-set log, and the headers tell clients exactly where they stand.

When the cache is unreachable the request is let through (and logged): an outage of the
rate-limit store must not take the API down with it.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings

from qrsite.addresses import address_pseudonym, client_ip
from qrsite.api import counters

logger = logging.getLogger("qrsite.api")

ANONYMOUS = "anonymous"
KEY_PREFIX = "api:rl"


@dataclass(frozen=True)
class RateLimitState:
    policy: str
    limit: int
    window: int
    count: int
    reset: int  # whole seconds until the window ends
    # The values read alongside the counters (`hit(read=[keys])`), by key; None: not read
    # (no Redis, or it was unreachable).
    read: dict[str, int] | None = None

    @property
    def remaining(self) -> int:
        return max(self.limit - self.count, 0)

    @property
    def exceeded(self) -> bool:
        return self.count > self.limit

    def headers(self) -> dict[str, str]:
        # draft-ietf-httpapi-ratelimit-headers: the policy, then what is left of it.
        headers = {
            "RateLimit-Policy": f'"{self.policy}";q={self.limit};w={self.window}',
            "RateLimit": f'"{self.policy}";r={self.remaining};t={self.reset}',
        }
        if self.exceeded:
            headers["Retry-After"] = str(max(self.reset, 1))
        return headers


def limit_for(policy: str, workspace=None) -> int:
    """The workspace's own limit for this scope if it has one, else the site default."""
    if workspace is not None:
        own = getattr(workspace, f"api_rate_limit_{policy}", None)
        if own:
            return own
    return settings.API_RATE_LIMITS[policy]


def anonymous_bucket(request) -> str:
    # Keyed by a keyed hash of the address: the raw IP never lands in the cache.
    address = client_ip(request.META, trusted_proxies=settings.TRUSTED_PROXY_COUNT)
    return f"ip:{address_pseudonym(address or 'unknown', purpose='api-anonymous')}"


def hit(
    *,
    bucket: str,
    policy: str,
    limit: int,
    now: float | None = None,
    window: int | None = None,
    also_count: list[tuple[str, int]] = (),
    read: list[str] = (),
) -> RateLimitState:
    """Count one request against `bucket` under `policy` (per `window` seconds, the API's by
    default) and say where it stands. `also_count` holds other (key, expiry) counters to bump
    in the same round trip (the key's usage); `read`, raw Redis keys to read in it too."""
    window = window or settings.API_RATE_LIMIT_WINDOW
    now = time.time() if now is None else now
    start = int(now // window) * window
    reset = max(math.ceil(start + window - now), 1)
    key = f"{KEY_PREFIX}:{policy}:{bucket}:{start}"
    value = None
    try:
        counts, value = counters.bump_and_read([(key, window + 5), *also_count], read)
        count = counts[0]
    except Exception:
        logger.warning("Rate-limit store unreachable; letting the request through", exc_info=True)
        count = 0
    return RateLimitState(
        policy=policy, limit=limit, window=window, count=count, reset=reset, read=value
    )
