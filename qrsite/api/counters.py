"""Counters with an expiry in the shared cache (Redis in production), bumped in one round
trip: the rate limits and the keys' usage keep theirs this way, and a request bumps both in
the same pipeline."""

from __future__ import annotations

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache


def bump(keys: list[tuple[str, int]]) -> list[int]:
    """Increment each (key, expiry in seconds) counter, creating it with its expiry when it is
    new; the counters' new values, in order."""
    return bump_and_read(keys)[0]


def bump_and_read(
    keys: list[tuple[str, int]], read: str | None = None
) -> tuple[list[int], int | None]:
    """`bump`, and in the same round trip the integer under the raw Redis key `read` (0 when
    unset; None without Redis)."""
    backend = caches["default"]  # the backend itself: `cache` is a proxy to it
    if isinstance(backend, RedisCache):
        # Create each counter with its expiry if new, then increment it. Django's Redis
        # serializer stores ints as plain integers, so INCR works on them.
        full = [(backend.make_and_validate_key(key), expiry) for key, expiry in keys]
        client = backend._cache.get_client(full[0][0], write=True)
        pipe = client.pipeline(transaction=True)
        for key, expiry in full:
            pipe.set(key, 0, ex=expiry, nx=True)
            pipe.incr(key)
        if read is not None:
            pipe.get(read)
        results = pipe.execute()
        values = [int(value) for value in results[1 : 2 * len(full) : 2]]
        return values, (int(results[-1] or 0) if read is not None else None)
    values = []
    for key, expiry in keys:
        cache.add(key, 0, timeout=expiry)
        try:
            values.append(cache.incr(key))
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=expiry)
            values.append(1)
    return values, None
