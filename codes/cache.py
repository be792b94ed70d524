"""The redirect lookup cache.

A scan must see a destination change at once, in every web process, so each entry lives in
the shared cache together with a per-slug generation token. Writers replace the token and
delete the entry after commit; a reader fetches both in one round trip and ignores an entry stored under another token. That closes
the race where a reader loads the old row, the writer invalidates, and the reader then stores
the stale row. When the cache is down the lookup reads the database: a scan never fails
because the cache did.

With Redis, each web process also keeps the entries it has read in memory, and Redis tells
it the moment one of those keys changes (codes.local_cache): a scan of a known code then
needs no round trip at all. The copies are used only while that channel is up.

An invalidation the cache did not take (Redis paused, restarting, unreachable) is queued in
the database and replayed every REDIRECT_INVALIDATION_RETRY_SECONDS by beat: a change reaches
every redirect, in-memory copies included, within that interval of Redis taking writes
again. While Redis does not answer at all, lookups read the database and see the change.
"""

from __future__ import annotations

import json
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from codes.local_cache import TrackedLocalCache
from qrsite.redis_io import RecentlyDown, hot_redis

logger = logging.getLogger(__name__)

MISSING = "missing"  # no such slug: 404
GONE = "gone"  # the slug was handed out but its code no longer exists: 410


@dataclass(frozen=True, slots=True)
class RedirectEntry:
    """What the redirect needs to know about a dynamic code, and nothing more."""

    code_id: int
    workspace_id: int
    destination: str
    is_active: bool
    is_deleted: bool
    expires_at: float | None  # POSIX timestamp
    scan_limit: int | None
    pass_query_string: bool

    def as_tuple(self) -> tuple:
        return (
            self.code_id,
            self.workspace_id,
            self.destination,
            self.is_active,
            self.is_deleted,
            self.expires_at,
            self.scan_limit,
            self.pass_query_string,
        )


_KEY_PREFIX = "qrsite:redirect"  # both key kinds below start with it
_ENTRY_PREFIX = f"{_KEY_PREFIX}:"
_TOKEN_PREFIX = f"{_KEY_PREFIX}-token:"


def _entry_key(slug: str) -> str:
    return _ENTRY_PREFIX + slug


def _token_key(slug: str) -> str:
    return _TOKEN_PREFIX + slug


def _slug_of_key(key: str) -> str | None:
    for prefix in (_ENTRY_PREFIX, _TOKEN_PREFIX):
        if key.startswith(prefix):
            return key[len(prefix) :]
    return None


def _entry_from_db(slug: str) -> RedirectEntry | str:
    from codes.models import QRCode, SlugClaim

    row = (
        QRCode.objects.filter(slug=slug)
        .values_list(
            "id",
            "workspace_id",
            "destination",
            "is_active",
            "deleted_at",
            "expires_at",
            "scan_limit",
            "pass_query_string",
        )
        .first()
    )
    if row is None:
        return GONE if SlugClaim.objects.filter(slug=slug).exists() else MISSING
    code_id, workspace_id, destination, active, deleted_at, expires_at, limit, pass_qs = row
    return RedirectEntry(
        code_id=code_id,
        workspace_id=workspace_id,
        destination=destination,
        is_active=active,
        is_deleted=deleted_at is not None,
        expires_at=expires_at.timestamp() if expires_at else None,
        scan_limit=limit,
        pass_query_string=pass_qs,
    )


class _DjangoCacheStore:
    """The default cache (in-memory on a laptop, no Redis configured)."""

    local = None

    def get_pair(self, entry_key: str, token_key: str):
        found = cache.get_many([entry_key, token_key])
        return found.get(entry_key), found.get(token_key)

    def set(self, key: str, value, timeout: int) -> None:
        cache.set(key, value, timeout)

    def set_many(self, values: dict, timeout: int) -> None:
        cache.set_many(values, timeout)

    def delete(self, key: str) -> None:
        cache.delete(key)

    def delete_many(self, keys: list[str]) -> None:
        cache.delete_many(keys)


class _RedisStore:
    """Redis through the hot-path connection (see qrsite.redis_io)."""

    def __init__(self, url: str):
        self.redis = hot_redis(url, settings.SCAN_BUFFER_TIMEOUT)
        self.local = (
            TrackedLocalCache(
                url,
                _KEY_PREFIX,
                key_to_local=_slug_of_key,
                max_age=settings.REDIRECT_LOCAL_CACHE_SECONDS,
                max_items=settings.REDIRECT_LOCAL_CACHE_ITEMS,
            )
            if settings.REDIRECT_LOCAL_CACHE_SECONDS > 0
            else None
        )

    def get_pair(self, entry_key: str, token_key: str):
        entry, token = self.redis.execute("MGET", entry_key, token_key)
        return (json.loads(entry) if entry else None), (token.decode() if token else None)

    def set(self, key: str, value, timeout: int) -> None:
        self.redis.client.set(key, _encoded(value), ex=timeout)

    def set_many(self, values: dict, timeout: int) -> None:
        with self.redis.client.pipeline(transaction=False) as pipe:
            for key, value in values.items():
                pipe.set(key, _encoded(value), ex=timeout)
            pipe.execute()

    def delete(self, key: str) -> None:
        self.redis.client.delete(key)

    def delete_many(self, keys: list[str]) -> None:
        self.redis.client.delete(*keys)


def _encoded(value) -> str:
    # Tokens are stored as they are; entries as JSON (the reader parses them).
    return value if isinstance(value, str) else json.dumps(value)


_stores: dict[str, _RedisStore] = {}


def _store():
    url = settings.REDIRECT_CACHE_URL
    if not url:
        return _DjangoCacheStore()
    store = _stores.get(url)
    if store is None:
        store = _stores[url] = _RedisStore(url)
    return store


def redirect_entry_get(slug: str) -> RedirectEntry | str:
    """The cached redirect entry for `slug`, or MISSING / GONE."""
    store = _store()
    local = store.local
    generation = None
    if local is not None:
        found = local.get(slug)
        if found is not None:
            return found
        generation = local.generation()
    entry = _shared_entry_get(store, slug)
    if local is not None:
        local.put(slug, entry, generation)
    return entry


def _shared_entry_get(store, slug: str) -> RedirectEntry | str:
    entry_key, token_key = _entry_key(slug), _token_key(slug)
    try:
        stored, token = store.get_pair(entry_key, token_key)
    except RecentlyDown:
        return _entry_from_db(slug)
    except Exception:
        logger.warning("redirect cache unavailable; reading the database", exc_info=False)
        return _entry_from_db(slug)
    if stored is not None and stored[0] == token:
        value = stored[1]
        return RedirectEntry(*value) if isinstance(value, list | tuple) else value
    entry = _entry_from_db(slug)
    timeout = (
        settings.REDIRECT_CACHE_SECONDS
        if isinstance(entry, RedirectEntry)
        else settings.REDIRECT_CACHE_MISSING_SECONDS
    )
    value = list(entry.as_tuple()) if isinstance(entry, RedirectEntry) else entry
    try:
        store.set(entry_key, [token, value], timeout)
    except Exception:
        logger.warning("redirect cache unavailable; entry not stored", exc_info=False)
    return entry


def redirect_cache_forget(slug: str | None) -> None:
    """Invalidate the redirect entry of `slug`; call it from transaction.on_commit."""
    redirect_cache_forget_many([slug])


def redirect_cache_forget_many(slugs) -> None:
    """`redirect_cache_forget` for a batch, in two cache round trips instead of two per slug.

    When the cache does not answer, the slugs are queued in the database and retried until
    the cache takes them (redirect_invalidations_retry): the change is committed, so the
    redirect must follow it even though the cache missed this moment.
    """
    slugs = [slug for slug in slugs if slug]
    if not slugs:
        return
    try:
        _invalidate(_store(), slugs)
    except Exception:
        logger.warning("redirect cache unavailable; %d invalidation(s) queued", len(slugs))
        _queue_invalidations(slugs)


def _invalidate(store, slugs: list[str]) -> None:
    if store.local is not None:
        for slug in slugs:
            store.local.drop(slug)  # this process at once; the others when Redis tells them
    # A token outliving the entry's own timeout keeps a late stale write unreadable. Writing
    # it is also what makes Redis tell every process to drop its in-memory copy.
    store.set_many(
        {_token_key(slug): secrets.token_hex(8) for slug in slugs},
        settings.REDIRECT_CACHE_SECONDS * 4,
    )
    store.delete_many([_entry_key(slug) for slug in slugs])


def _queue_invalidations(slugs: list[str]) -> None:
    from django.utils import timezone

    from codes.models import PendingRedirectInvalidation

    now = timezone.now()
    try:
        PendingRedirectInvalidation.objects.bulk_create(
            [PendingRedirectInvalidation(slug=slug, failed_at=now) for slug in slugs],
            update_conflicts=True,
            unique_fields=["slug"],
            update_fields=["failed_at"],
        )
    except Exception:
        logger.exception("redirect invalidation of %s could not be queued", slugs[:10])


def redirect_invalidations_retry(*, batch_size: int = 1000) -> int:
    """Replay the queued invalidations the cache missed; returns how many went through."""
    from django.db.models import Q

    from codes.models import PendingRedirectInvalidation

    rows = list(
        PendingRedirectInvalidation.objects.order_by("id").values_list("slug", "failed_at")[
            :batch_size
        ]
    )
    if not rows:
        return 0
    try:
        _invalidate(_store(), [slug for slug, _ in rows])
    except Exception:
        logger.warning("redirect cache still unavailable; %d invalidation(s) wait", len(rows))
        return 0
    # A failure queued after these rows were read has a later failed_at: its row stays.
    matched = Q()
    for slug, failed_at in rows:
        matched |= Q(slug=slug, failed_at=failed_at)
    PendingRedirectInvalidation.objects.filter(matched).delete()
    return len(rows)
