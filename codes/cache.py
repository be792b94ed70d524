"""The redirect lookup cache.

A scan must see a destination change at once, in every web process, so there is no
process-local cache: each entry lives in the shared cache together with a per-slug
generation token. Writers replace the token and delete the entry after commit; a reader
fetches both in one round trip and ignores an entry stored under another token. That closes
the race where a reader loads the old row, the writer invalidates, and the reader then stores
the stale row. When the cache is down the lookup reads the database: a scan never fails
because the cache did.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

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


def _entry_key(slug: str) -> str:
    return f"codes:r:{slug}"


def _token_key(slug: str) -> str:
    return f"codes:rt:{slug}"


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


def redirect_entry_get(slug: str) -> RedirectEntry | str:
    """The cached redirect entry for `slug`, or MISSING / GONE."""
    entry_key, token_key = _entry_key(slug), _token_key(slug)
    try:
        found = cache.get_many([entry_key, token_key])
    except Exception:
        logger.warning("redirect cache unavailable; reading the database", exc_info=False)
        return _entry_from_db(slug)
    token = found.get(token_key)
    stored = found.get(entry_key)
    if stored is not None and stored[0] == token:
        value = stored[1]
        return RedirectEntry(*value) if isinstance(value, tuple) else value
    entry = _entry_from_db(slug)
    timeout = (
        settings.REDIRECT_CACHE_SECONDS
        if isinstance(entry, RedirectEntry)
        else settings.REDIRECT_CACHE_MISSING_SECONDS
    )
    value = entry.as_tuple() if isinstance(entry, RedirectEntry) else entry
    try:
        cache.set(entry_key, (token, value), timeout)
    except Exception:
        logger.warning("redirect cache unavailable; entry not stored", exc_info=False)
    return entry


def redirect_cache_forget(slug: str | None) -> None:
    """Invalidate the redirect entry of `slug`; call it from transaction.on_commit."""
    if not slug:
        return
    try:
        # A token outliving the entry's own timeout keeps a late stale write unreadable.
        cache.set(_token_key(slug), secrets.token_hex(8), settings.REDIRECT_CACHE_SECONDS * 4)
        cache.delete(_entry_key(slug))
    except Exception:
        logger.warning("redirect cache unavailable; entry for a changed code not invalidated")
