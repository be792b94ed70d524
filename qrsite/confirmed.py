"""Process-local memories of database reads, trusted only while a counter in Redis (a
*generation*) has not moved since the read began.

A web process that keeps what it read can skip the read next time, but it cannot see another
process's writes. So every write that could change what is kept moves a shared generation once
its transaction commits, and an entry is used only when the generation read in the request's
one Redis round trip (the rate limit's, `qrsite.api.counters`) is the one it was stored under.
A change is then seen by every process on its very next request, as without the memory. Without
Redis (the embedded default) nothing is kept: there is no shared generation to trust.

Entries also expire after a few seconds' worth of setting, which bounds the damage of a write
that moves no generation (raw SQL, a migration), and the memory holds a fixed number of them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db.models.base import ModelState

logger = logging.getLogger(__name__)

Value = TypeVar("Value")


def redis_available() -> bool:
    return isinstance(caches["default"], RedisCache)


def raw_key(name: str) -> str:
    """`name` as Redis sees it (with the cache's prefix and version), for the round trip."""
    return caches["default"].make_and_validate_key(name)


def _client(key: str):
    return caches["default"]._cache.get_client(key, write=True)


# A generation that does not exist yet (or no longer: Redis restarted empty, or its database
# was flushed) starts at a new epoch, the time in microseconds, never at 0 or 1: an entry kept
# under a generation from before the reset must never match the counter after it.
_START = """
if redis.call('EXISTS', KEYS[1]) == 1 then
    return redis.call('INCR', KEYS[1])
end
redis.call('SET', KEYS[1], ARGV[1])
return tonumber(ARGV[1])
"""
_ENSURE = """
redis.call('SET', KEYS[1], ARGV[1], 'NX')
return redis.call('GET', KEYS[1])
"""


def _epoch() -> int:
    return time.time_ns() // 1000


def read_generation(name: str) -> int | None:
    """The generation `name` now (started if missing); None without Redis or when it cannot
    be read."""
    if not redis_available():
        return None
    try:
        key = raw_key(name)
        return int(_client(key).eval(_ENSURE, 1, key, _epoch()))
    except Exception:
        return None


def bump_generation(name: str) -> None:
    """Move the generation `name`: every process's entries stored under it stop being used."""
    if not redis_available():
        return
    try:
        key = raw_key(name)
        _client(key).eval(_START, 1, key, _epoch())
    except Exception:
        # Other processes' entries then live out their seconds; a round trip that cannot
        # read the generation trusts none of them meanwhile.
        logger.warning("could not move the generation %s", name)


def clone(instance):
    """A model instance with its own field values and an empty relation cache: what
    copy.copy() makes through pickling's protocol, for a tenth of its cost. Each request gets
    instances of its own, so nothing one request sets on them reaches another."""
    copy = instance.__class__.__new__(instance.__class__)
    copy.__dict__.update(instance.__dict__)
    copy._state = ModelState()
    copy._state.db = instance._state.db
    copy._state.adding = False
    return copy


@dataclass
class _Entry(Generic[Value]):
    value: Value
    generation: int
    stored_at: float


class ConfirmedMemory(Generic[Value]):
    """At most `entries()` values by key, each with the generation it was read under.

    `copy` makes the private copy a caller gets (and the one stored); `seconds()` is how long
    an entry may be used at most; `enabled()` says whether anything is kept at all.
    """

    def __init__(
        self,
        *,
        seconds: Callable[[], float],
        entries: Callable[[], int],
        copy: Callable[[Value], Value],
    ):
        self._seconds, self._entries_max, self._copy = seconds, entries, copy
        self._entries: OrderedDict[Hashable, _Entry[Value]] = OrderedDict()
        self._lock = threading.Lock()

    def enabled(self) -> bool:
        return self._seconds() > 0 and redis_available()

    def lookup(self, key: Hashable) -> tuple[Value, int] | None:
        """(a private copy of the value, the generation it was read under), or None."""
        if not self.enabled():
            return None
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if time.monotonic() - entry.stored_at > self._seconds():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
        return self._copy(entry.value), entry.generation

    def remember(self, key: Hashable, value: Value, generation_before_read: int) -> None:
        """Keep `value` as read after the generation was `generation_before_read` (read it
        before the database: a change committed during the read moves it past what is kept)."""
        if not self.enabled():
            return
        with self._lock:
            self._entries[key] = _Entry(self._copy(value), generation_before_read, time.monotonic())
            self._entries.move_to_end(key)
            while len(self._entries) > self._entries_max():
                self._entries.popitem(last=False)

    def update(self, key: Hashable, change: Callable[[Value], None]) -> None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                change(entry.value)

    def forget(self, key: Hashable) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def forget_where(self, test: Callable[[Hashable], bool]) -> None:
        with self._lock:
            for key in [key for key in self._entries if test(key)]:
                del self._entries[key]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
