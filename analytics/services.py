"""Writes for scans: recording (direct or buffered), the buffer flush and salt cleanup.

Modes (settings.SCAN_RECORDING):
- "direct" (default, durable): the scan row and the code's counter are written in the
  request's own short transaction.
- "buffered" (for scale): the request pushes the event to Redis and a periodic task inserts
  batches; when Redis does not answer, the scan is inserted directly instead, so nothing is
  lost either way.
Codes with a scan limit are always recorded directly: the limit is enforced by an atomic
conditional UPDATE of the counter, which a buffer could not do.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from datetime import date

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from analytics import buffer
from analytics.capture import ScanEvent
from analytics.models import DailySalt, Scan
from codes.models import QRCode

logger = logging.getLogger(__name__)


def _row(event: ScanEvent) -> Scan:
    return Scan(
        scanned_at=event.scanned_at,
        code_id=event.code_id,
        workspace_id=event.workspace_id,
        country=event.country,
        device_type=event.device_type,
        os=event.os,
        browser=event.browser,
        referrer_host=event.referrer_host,
        language=event.language,
        is_bot=event.is_bot,
        visitor_hash=event.visitor_hash,
        event_id=uuid.UUID(event.event_id) if event.event_id else None,
    )


_COLUMNS = (
    "scanned_at", "code_id", "workspace_id", "country", "device_type", "os", "browser",
    "referrer_host", "language", "is_bot", "visitor_hash", "event_id",
)  # fmt: skip


def _insert_and_count_sql() -> str:
    columns = ", ".join(_COLUMNS)
    placeholders = ", ".join(["%s"] * len(_COLUMNS))
    return (
        f"WITH scan AS (INSERT INTO {Scan._meta.db_table} ({columns}) "  # noqa: S608 - our tables
        f"VALUES ({placeholders}) RETURNING code_id) "
        f"UPDATE {QRCode._meta.db_table} SET scan_count = scan_count + 1 "
        "WHERE id = (SELECT code_id FROM scan)"
    )


def scan_record(*, event: ScanEvent) -> None:
    """Insert one scan now and count it on its code (bots are stored, not counted).

    On PostgreSQL a human scan is one statement, the row and the counter committed together
    in a single round trip: the hot path's cost, and the time the popular code's row stays
    locked, are one statement and one commit.
    """
    row = _row(event)
    if event.is_bot:
        row.save(force_insert=True)
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_insert_and_count_sql(), [getattr(row, c) for c in _COLUMNS])
    else:
        with transaction.atomic():
            row.save(force_insert=True)
            QRCode.objects.filter(pk=event.code_id).update(scan_count=F("scan_count") + 1)


def scan_record_within_limit(*, event: ScanEvent) -> bool:
    """Record a scan of a code with a scan limit; False (nothing written) once it is reached.

    The conditional UPDATE takes the row lock, so two concurrent scans can never both take
    the last allowed one. Bots are recorded while the limit is not reached, but use none of it.
    """
    with transaction.atomic():
        codes = QRCode.objects.filter(pk=event.code_id, scan_count__lt=F("scan_limit"))
        if event.is_bot:
            allowed = codes.exists()
        else:
            allowed = codes.update(scan_count=F("scan_count") + 1) == 1
        if allowed:
            _row(event).save(force_insert=True)
    return allowed


def scan_submit(*, event: ScanEvent) -> None:
    """Record a scan the configured way; buffered mode falls back to a direct insert."""
    if settings.SCAN_RECORDING == "buffered":
        event.event_id = uuid.uuid4().hex
        if buffer.push(event.to_json()):
            return
    scan_record(event=event)


def _insert_batch(items: list[bytes]) -> None:
    events: dict[str, ScanEvent] = {}
    for raw in items:
        try:
            event = ScanEvent.from_json(raw)
            uuid.UUID(event.event_id)
        except (ValueError, TypeError, KeyError):
            # A malformed entry must not block every later flush; it cannot be inserted.
            logger.error("dropping a malformed buffered scan event")
            continue
        events[event.event_id] = event
    if not events:
        return
    with transaction.atomic():
        ids = [uuid.UUID(event_id) for event_id in events]
        done = {
            u.hex for u in Scan.objects.filter(event_id__in=ids).values_list("event_id", flat=True)
        }
        code_ids = {event.code_id for event in events.values()}
        # A code whose workspace was deleted since the scan has nowhere to keep it.
        live = set(QRCode.objects.filter(pk__in=code_ids).values_list("pk", flat=True))
        fresh = [e for key, e in events.items() if key not in done and e.code_id in live]
        Scan.objects.bulk_create([_row(event) for event in fresh], batch_size=500)
        counts = Counter(event.code_id for event in fresh if not event.is_bot)
        # Ascending code order: concurrent flushes and direct inserts never deadlock.
        for code_id in sorted(counts):
            QRCode.objects.filter(pk=code_id).update(scan_count=F("scan_count") + counts[code_id])


def scan_flush_buffer(*, max_seconds: float | None = None) -> int:
    """Move buffered scans into the database; returns how many were handled."""
    if not settings.SCAN_BUFFER_URL:
        return 0
    return buffer.drain(
        _insert_batch,
        batch_size=settings.SCAN_FLUSH_BATCH_SIZE,
        max_seconds=max_seconds if max_seconds is not None else settings.SCAN_FLUSH_MAX_SECONDS,
    )


def scan_salt_cleanup(*, today: date | None = None) -> int:
    """Delete the salts of past days, so old visitor hashes cannot be recomputed."""
    today = today or timezone.now().date()
    deleted, _ = DailySalt.objects.filter(day__lt=today).delete()
    return deleted
