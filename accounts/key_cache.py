"""API keys this process authenticated recently, so a warm call skips the key's database read.

Every API call reads its key with its workspace, creator and membership (one statement, one
database round trip: on a small server that round trip was a third of a cached image's time).
This keeps what that read found, per process, under the hash of the caller's secret, and trusts
it only while a shared counter in Redis, the *generation*, has not moved since the read began.
Every save or delete of a key, workspace, user or membership moves it once its transaction
commits (receivers below), so a revoked key, a removed member or a lowered role is seen by every
process on its very next request, as without the cache.

The generation is read in the rate limit's round trip (`confirm_in_pipeline`), so a hit costs no
round trip at all; a request whose entry turns out stale is authenticated again from the
database before anything else runs. Without Redis (the embedded default) or while Redis is
unreachable nothing is trusted from here: each process could not see another's changes.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import transaction
from django.db.models.base import ModelState
from django.db.models.signals import post_delete, post_save

GENERATION_KEY = "accounts:key-generation"

logger = logging.getLogger(__name__)


@dataclass
class _Entry:
    api_key: object  # the ApiKey with workspace, creator and _creator_membership attached
    generation: int
    stored_at: float


_entries: OrderedDict[str, _Entry] = OrderedDict()
_lock = threading.Lock()


def enabled() -> bool:
    return settings.API_KEY_CACHE_SECONDS > 0 and isinstance(caches["default"], RedisCache)


def token_of(secret: str) -> str:
    # The secret itself is never kept, only its hash (which is also what a key is stored as).
    return hashlib.sha256(secret.encode()).hexdigest()


def _redis():
    key = generation_key()
    return caches["default"]._cache.get_client(key, write=True), key


def generation() -> int | None:
    """The generation now; None when it cannot be read (nothing is cached then)."""
    if not enabled():
        return None
    try:
        client, key = _redis()
        return int(client.get(key) or 0)
    except Exception:
        return None


def generation_key() -> str:
    """The counter's key as the pipeline sees it (with the cache's prefix and version)."""
    return caches["default"].make_and_validate_key(GENERATION_KEY)


def lookup(token: str) -> tuple[object, int] | None:
    """(a private copy of the remembered key, its generation), or None."""
    if not enabled():
        return None
    with _lock:
        entry = _entries.get(token)
        if entry is None:
            return None
        if time.monotonic() - entry.stored_at > settings.API_KEY_CACHE_SECONDS:
            del _entries[token]
            return None
        _entries.move_to_end(token)
    return _copy(entry.api_key), entry.generation


def remember(token: str, api_key, generation_before_read: int) -> None:
    """Keep `api_key` as read after the generation was `generation_before_read`."""
    with _lock:
        _entries[token] = _Entry(_copy(api_key), generation_before_read, time.monotonic())
        _entries.move_to_end(token)
        while len(_entries) > settings.API_KEY_CACHE_ENTRIES:
            _entries.popitem(last=False)


def note_use(token: str, last_used_at) -> None:
    """The key's use was recorded: remember when, or every call would record it again."""
    with _lock:
        entry = _entries.get(token)
        if entry is not None:
            entry.api_key.last_used_at = last_used_at


def forget(token: str) -> None:
    with _lock:
        _entries.pop(token, None)


def clear() -> None:
    with _lock:
        _entries.clear()


def _clone(instance):
    # A model instance with its own field values and an empty relation cache: what
    # copy.copy() makes through pickling's protocol, for a tenth of its cost.
    clone = instance.__class__.__new__(instance.__class__)
    clone.__dict__.update(instance.__dict__)
    clone._state = ModelState()
    clone._state.db = instance._state.db
    clone._state.adding = False
    return clone


def _copy(api_key):
    # Each request gets instances of its own: nothing a request sets on them reaches another.
    key = _clone(api_key)
    key.workspace = _clone(api_key.workspace)
    if api_key.created_by is not None:
        key.created_by = _clone(api_key.created_by)
    membership = getattr(api_key, "_creator_membership", None)
    if membership is not None:
        membership = _clone(membership)
        membership.user = key.created_by
        membership.workspace = key.workspace
    key._creator_membership = membership
    return key


def _bump() -> None:
    if not isinstance(caches["default"], RedisCache):
        return
    try:
        client, key = _redis()
        client.incr(key)
    except Exception:
        # The entries of other processes then live at most API_KEY_CACHE_SECONDS; the
        # pipeline that cannot read the generation trusts none of them meanwhile.
        logger.warning("could not move the API key generation")


def _changed(sender, **kwargs) -> None:
    # This process's entries go at once (a read before the commit is caught by the bump);
    # the other processes' once the change is committed.
    clear()
    transaction.on_commit(_bump)


def connect_receivers() -> None:
    from accounts.models import ApiKey, Membership, User, Workspace

    for model in (ApiKey, Membership, User, Workspace):
        uid = f"accounts.key_cache.{model.__name__}"
        post_save.connect(_changed, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"{uid}.delete")
