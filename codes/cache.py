"""The redirect lookup cache.

A scan must see a destination change at once, in every web process, so there is no
process-local cache: each entry lives in the shared cache together with a per-slug
generation token. Writers replace the token and delete the entry after commit; a reader
fetches both in one round trip and ignores an entry stored under another token. That closes
the race where a reader loads the old row, the writer invalidates, and the reader then stores
the stale row. When the cache is down the lookup reads the database: a scan never fails
because the cache did.

In buffered scan recording the lookup can also append the scan to the buffer in the same
round trip (a Lua script, see `_LOOKUP_AND_PUSH`), when the buffer lives on the same Redis.
Whether a scan may be pushed without asking Python is decided here, in Python, when the entry
is built (`RedirectEntry.buffer_until`); the script only compares that number with the clock.
"""

from __future__ import annotations

import json
import logging
import secrets
from dataclasses import astuple, dataclass

import redis
from django.conf import settings
from django.core.cache import cache

from codes.redis_io import RecentlyDown, hot_redis
from codes.validation import is_safe_destination

logger = logging.getLogger(__name__)

MISSING = "missing"  # no such slug: 404
GONE = "gone"  # the slug was handed out but its code no longer exists: 410
# Entries are stored as JSON lists in field order; a new field means a new key version, so
# processes of the previous release never read an entry of the wrong shape.
_KEY_VERSION = "v2"
_NEVER = 0.0
_FOREVER = 1e12  # a POSIX time in the year 33658: "no expiry" as a number the script compares


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
    # Until when (POSIX time) a scan of this code is a plain redirect plus one buffered event:
    # active, not deleted, no scan limit to enforce, a safe destination. 0 when never.
    buffer_until: float = _NEVER

    def refusal(self, now: float) -> str:
        """Why a scan at `now` gets the 410 page instead of the destination, or ""."""
        if self.is_deleted:
            return "deleted"
        if not self.is_active:
            return "inactive"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        if not is_safe_destination(self.destination):
            return "unavailable"
        return ""


def _with_buffer_until(entry: RedirectEntry) -> RedirectEntry:
    plain = entry.scan_limit is None and not entry.refusal(now=0.0)
    until = (entry.expires_at or _FOREVER) if plain else _NEVER
    return RedirectEntry(*astuple(entry)[:-1], buffer_until=until)


def _entry_key(slug: str) -> str:
    return f"qrsite:redirect:{_KEY_VERSION}:{slug}"


def _token_key(slug: str) -> str:
    return f"qrsite:redirect-token:{slug}"


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
    return _with_buffer_until(
        RedirectEntry(
            code_id=code_id,
            workspace_id=workspace_id,
            destination=destination,
            is_active=active,
            is_deleted=deleted_at is not None,
            expires_at=expires_at.timestamp() if expires_at else None,
            scan_limit=limit,
            pass_query_string=pass_qs,
        )
    )


# KEYS: the entry, its token, the scan buffer. ARGV: the time now (POSIX seconds), the scan
# event as JSON without its code fields and opening brace (see ScanEvent.json_tail).
# Returns {entry or false, token or false, 1 when the scan was pushed else 0}.
_LOOKUP_AND_PUSH = """
local stored = redis.call('GET', KEYS[1])
local token = redis.call('GET', KEYS[2])
local pushed = 0
if stored then
  local ok, pair = pcall(cjson.decode, stored)
  if ok and type(pair) == 'table' and type(pair[2]) == 'table' then
    local value = pair[2]
    local current = (token and pair[1] == token) or (not token and pair[1] == cjson.null)
    if current and tonumber(value[9]) and tonumber(value[9]) > tonumber(ARGV[1]) then
      redis.call('RPUSH', KEYS[3], string.format('{"code_id":%d,"workspace_id":%d,', value[1], value[2]) .. ARGV[2])
      pushed = 1
    end
  end
end
return {stored, token, pushed}
"""


class _DjangoCacheStore:
    """The default cache (in-memory on a laptop, no Redis configured)."""

    url = None

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
    """Redis through the hot-path connection (see codes.redis_io)."""

    def __init__(self, url: str):
        self.url = url
        self.redis = hot_redis(url, settings.SCAN_BUFFER_TIMEOUT)
        self._script = self.redis.client.register_script(_LOOKUP_AND_PUSH)

    def get_pair(self, entry_key: str, token_key: str):
        entry, token = self.redis.execute("MGET", entry_key, token_key)
        return _decoded(entry, token)

    def get_pair_and_push(self, entry_key, token_key, list_key, now: float, tail: str):
        try:
            entry, token, pushed = self.redis.execute(
                "EVALSHA", self._script.sha, 3, entry_key, token_key, list_key, now, tail
            )
        except redis.exceptions.NoScriptError:
            # Redis restarted or its script cache was flushed: send the script itself once.
            entry, token, pushed = self.redis.execute(
                "EVAL", _LOOKUP_AND_PUSH, 3, entry_key, token_key, list_key, now, tail
            )
        return (*_decoded(entry, token), bool(pushed))

    def set(self, key: str, value, timeout: int) -> None:
        self.redis.client.set(
            key, value if isinstance(value, str) else json.dumps(value), ex=timeout
        )

    def set_many(self, values: dict, timeout: int) -> None:
        with self.redis.client.pipeline(transaction=False) as pipe:
            for key, value in values.items():
                pipe.set(key, value if isinstance(value, str) else json.dumps(value), ex=timeout)
            pipe.execute()

    def delete(self, key: str) -> None:
        self.redis.client.delete(key)

    def delete_many(self, keys: list[str]) -> None:
        self.redis.client.delete(*keys)


def _decoded(entry: bytes | None, token: bytes | None):
    return (json.loads(entry) if entry else None), (token.decode() if token else None)


_stores: dict[str, _RedisStore] = {}


def _store():
    url = settings.REDIRECT_CACHE_URL
    if not url:
        return _DjangoCacheStore()
    store = _stores.get(url)
    if store is None:
        store = _stores[url] = _RedisStore(url)
    return store


def redirect_lookup(
    slug: str, *, push: tuple[str, str, float, str] | None = None
) -> tuple[RedirectEntry | str, bool]:
    """The redirect entry for `slug` (or MISSING / GONE), and whether the scan was recorded.

    `push` is an offer (buffer URL, buffer key, time now, event tail) to append the scan to
    the buffer in the lookup's round trip; it is taken only when the buffer shares the
    cache's Redis and the cached entry says a plain push is right at that time. Otherwise
    the caller records the scan itself.
    """
    entry_key, token_key = _entry_key(slug), _token_key(slug)
    store = _store()
    pushed = False
    try:
        if push is not None and push[0] == store.url:
            stored, token, pushed = store.get_pair_and_push(entry_key, token_key, *push[1:])
        else:
            stored, token = store.get_pair(entry_key, token_key)
    except RecentlyDown:
        return _entry_from_db(slug), False
    except Exception:
        logger.warning("redirect cache unavailable; reading the database", exc_info=False)
        return _entry_from_db(slug), False
    if stored is not None and stored[0] == token:
        value = stored[1]
        return (RedirectEntry(*value) if isinstance(value, list | tuple) else value), pushed
    entry = _entry_from_db(slug)
    timeout = (
        settings.REDIRECT_CACHE_SECONDS
        if isinstance(entry, RedirectEntry)
        else settings.REDIRECT_CACHE_MISSING_SECONDS
    )
    value = list(astuple(entry)) if isinstance(entry, RedirectEntry) else entry
    try:
        store.set(entry_key, [token, value], timeout)
    except Exception:
        logger.warning("redirect cache unavailable; entry not stored", exc_info=False)
    return entry, False


def redirect_entry_get(slug: str) -> RedirectEntry | str:
    """The cached redirect entry for `slug`, or MISSING / GONE."""
    return redirect_lookup(slug)[0]


def redirect_cache_forget(slug: str | None) -> None:
    """Invalidate the redirect entry of `slug`; call it from transaction.on_commit."""
    if not slug:
        return
    store = _store()
    try:
        # A token outliving the entry's own timeout keeps a late stale write unreadable.
        store.set(_token_key(slug), secrets.token_hex(8), settings.REDIRECT_CACHE_SECONDS * 4)
        store.delete(_entry_key(slug))
    except Exception:
        logger.warning("redirect cache unavailable; entry for a changed code not invalidated")


def redirect_cache_forget_many(slugs) -> None:
    """`redirect_cache_forget` for a batch, in two cache round trips instead of two per slug."""
    slugs = [slug for slug in slugs if slug]
    if not slugs:
        return
    store = _store()
    try:
        store.set_many(
            {_token_key(slug): secrets.token_hex(8) for slug in slugs},
            settings.REDIRECT_CACHE_SECONDS * 4,
        )
        store.delete_many([_entry_key(slug) for slug in slugs])
    except Exception:
        logger.warning("redirect cache unavailable; entries for new codes not invalidated")
