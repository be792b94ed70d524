"""API keys this process authenticated recently, so a warm call skips the key's database read.

Every API call reads its key with its workspace, creator and membership (one statement, one
database round trip: on a small server that round trip was a third of a cached image's time).
This keeps what that read found, per process, under the hash of the caller's secret, and trusts
it only while a shared counter in Redis, the *generation*, has not moved since the read began.
Every save or delete of a key, workspace, user or membership moves it once its transaction
commits (receivers below), so a revoked key, a removed member or a lowered role is seen by every
process on its very next request, as without the cache.

The generation is read in the rate limit's round trip (`ApiMixin.initial`), so a hit costs no
round trip at all; a request whose entry turns out stale is authenticated again from the
database before anything else runs. Without Redis (the embedded default) or while Redis is
unreachable nothing is trusted from here: each process could not see another's changes. The
memory itself is `qrsite.confirmed`'s.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from qrsite import confirmed

GENERATION_KEY = "accounts:key-generation"


def _copy(api_key):
    # The key with its own workspace, creator and creator's membership.
    key = confirmed.clone(api_key)
    key.workspace = confirmed.clone(api_key.workspace)
    if api_key.created_by is not None:
        key.created_by = confirmed.clone(api_key.created_by)
    membership = getattr(api_key, "_creator_membership", None)
    if membership is not None:
        membership = confirmed.clone(membership)
        membership.user = key.created_by
        membership.workspace = key.workspace
    key._creator_membership = membership
    return key


# By the hash of the caller's secret: the secret itself is never kept (it is also what a key
# is stored as).
_memory = confirmed.ConfirmedMemory(
    seconds=lambda: settings.API_KEY_CACHE_SECONDS,
    entries=lambda: settings.API_KEY_CACHE_ENTRIES,
    copy=_copy,
)


def enabled() -> bool:
    return _memory.enabled()


def token_of(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def generation() -> int | None:
    """The generation now; None when it cannot be read (nothing is cached then)."""
    return confirmed.read_generation(GENERATION_KEY) if enabled() else None


def generation_key() -> str:
    """The counter's key as the round trip reads it."""
    return confirmed.raw_key(GENERATION_KEY)


def lookup(token: str) -> tuple[object, int] | None:
    """(a private copy of the remembered key, its generation), or None."""
    return _memory.lookup(token)


def remember(token: str, api_key, generation_before_read: int) -> None:
    """Keep `api_key` as read after the generation was `generation_before_read`."""
    _memory.remember(token, api_key, generation_before_read)


def note_use(token: str, last_used_at) -> None:
    """The key's use was recorded: remember when, or every call would record it again."""
    _memory.update(token, lambda api_key: setattr(api_key, "last_used_at", last_used_at))


def forget(token: str) -> None:
    _memory.forget(token)


def clear() -> None:
    _memory.clear()


def _changed(sender, **kwargs) -> None:
    # This process's entries go at once (a read before the commit is caught by the bump);
    # the other processes' once the change is committed.
    clear()
    transaction.on_commit(lambda: confirmed.bump_generation(GENERATION_KEY))


def connect_receivers() -> None:
    from accounts.models import ApiKey, Membership, User, Workspace

    for model in (ApiKey, Membership, User, Workspace):
        uid = f"accounts.key_cache.{model.__name__}"
        post_save.connect(_changed, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"{uid}.delete")
