"""Writes for scans: recording (direct or buffered), the buffer flush and salt cleanup.

Modes (settings.SCAN_RECORDING), both after the response has been sent and in batches of what
one web process queued within SCAN_LINGER_SECONDS (analytics.batching):
- "direct" (default, durable): rows and counters go straight to PostgreSQL, one durable
  transaction per batch, the counters in the same transaction as their rows.
- "buffered" (for scale): events go to a Redis list and a periodic task inserts them; when
  Redis does not answer, they are inserted directly instead, so nothing is lost either way.
Every write of scan rows goes through `_insert_batch`. Codes with a scan limit are recorded
before answering, one by one: the limit is enforced by an atomic conditional UPDATE of the
counter, which a batch could not do.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta

from django.conf import settings
from django.db import (
    DataError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    connection,
    transaction,
)
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from analytics import buffer
from analytics.batching import BatchSender, send_all_queued
from analytics.capture import ScanEvent, salt_prepare
from analytics.models import DailySalt, Scan
from analytics.signals import scans_recorded
from codes.models import QRCode
from qrsite import metrics

logger = logging.getLogger(__name__)


def _row(event: ScanEvent) -> Scan:
    return Scan(
        scanned_at=event.scanned_at,
        code_id=event.code_id,
        workspace_id=event.workspace_id,
        country=event.country,
        city=event.city,
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
    "referrer_host", "language", "is_bot", "visitor_hash", "event_id", "city",
)  # fmt: skip


def scan_record(*, event: ScanEvent) -> None:
    """Insert one scan now, durably, and count it on its code (bots are stored, not counted).
    Idempotent per event: recording the same event twice stores and counts it once."""
    event.event_id = event.event_id or uuid.uuid4().hex
    scan_record_many(payloads=[event.to_json()])


def scan_record_many(*, payloads: list[str] | list[bytes]) -> None:
    """Insert scan events (ScanEvent JSON) and count them, in one transaction."""
    _on_a_live_connection(lambda: _insert_batch(payloads))


def _on_a_live_connection(write: Callable[[], None]) -> None:
    """Run a scan's write without the connection ping of CONN_HEALTH_CHECKS.

    The ping is a round trip before the first query of every request, so on the scan path it
    costs as much as the insert's own. Instead, a kept connection that the server dropped
    shows itself by failing, and the write is retried on a new connection, a few times with
    growing pauses (a failover, or connections cut again while reconnecting: the fault drill
    terminates them repeatedly). It runs in the batch sender's thread, never in a request.
    The write is idempotent (events carry their id), so a retry never stores a scan twice,
    even if an attempt committed before its connection broke.
    """
    if connection.in_atomic_block:
        write()
        return
    if connection.connection is not None:
        connection.health_check_done = True
    for pause in WRITE_RETRY_PAUSES:
        try:
            write()
            return
        except (OperationalError, InterfaceError):
            connection.close()
            time.sleep(pause)
    write()


# Seconds to wait before each retry of a scan batch whose connection failed (then one last try).
WRITE_RETRY_PAUSES = (0.0, 0.2, 1.0, 3.0)


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
            after = QRCode.objects.filter(pk=event.code_id).values_list("scan_count", flat=True)
            counts = {} if event.is_bot else {event.code_id: (after[0] - 1, after[0])}
            _announce([event], counts)
    return allowed


def _announce(scans: list[ScanEvent], counts: dict[int, tuple[int, int]]) -> None:
    """Tell subscribers (webhooks) what this batch stored, inside its transaction. A failing
    subscriber is logged and never costs the scans themselves."""
    if not scans:
        return
    transaction.on_commit(lambda: metrics.SCANS_RECORDED.inc(len(scans)))
    for receiver, result in scans_recorded.send_robust(sender=Scan, scans=scans, counts=counts):
        if isinstance(result, Exception):
            logger.error("scan subscriber %r failed: %r", receiver, result)
    if connection.needs_rollback:
        # A subscriber's savepoint could not be rolled back (the connection broke under it):
        # the batch's transaction would end in a silent rollback, losing the scans. Fail the
        # batch instead, so its writer retries it on a new connection (it is idempotent).
        raise OperationalError("the connection broke while the scan batch was announced")


def scan_submit(*, event: ScanEvent) -> None:
    """Record a scan the configured way (direct or buffered), in this process's next batch."""
    event.event_id = event.event_id or uuid.uuid4().hex
    metrics.SCANS_QUEUED.inc()
    if settings.SCAN_RECORDING == "buffered" and settings.SCAN_BUFFER_URL:
        _to_buffer.submit(event.to_json())
    else:
        _to_database.submit(event.to_json())


def _send_to_buffer(payloads: list[str]) -> None:
    buffer.send(payloads, fallback=lambda part: scan_record_many(payloads=part))


_to_database = BatchSender("scan-writer", lambda payloads: scan_record_many(payloads=payloads))
_to_buffer = BatchSender("scan-buffer-sender", _send_to_buffer)


def _flush_sql() -> str:
    scans, codes = Scan._meta.db_table, QRCode._meta.db_table
    columns = ", ".join(_COLUMNS)
    # The events' own JSON goes to PostgreSQL as one array, parsed there; ON CONFLICT skips
    # events a replayed batch already inserted, and a code deleted since has no row to join.
    return f"""
    WITH batch AS (
        SELECT e.* FROM json_to_recordset(%s::json) AS e(
            code_id bigint, workspace_id bigint, scanned_at double precision,
            country varchar(2), device_type varchar(10), os varchar(50), browser varchar(50),
            referrer_host varchar(253), language varchar(35), is_bot boolean,
            visitor_hash varchar(32), event_id uuid, city varchar(100)
        )
        WHERE e.event_id IS NOT NULL
    ), inserted AS (
        INSERT INTO {scans} ({columns})
        SELECT to_timestamp(b.scanned_at), b.code_id, b.workspace_id, b.country,
               b.device_type, b.os, b.browser, b.referrer_host, b.language, b.is_bot,
               b.visitor_hash, b.event_id, COALESCE(b.city, '')
        FROM batch b WHERE EXISTS (SELECT 1 FROM {codes} q WHERE q.id = b.code_id)
        ON CONFLICT (event_id) DO NOTHING
        RETURNING code_id, is_bot, event_id
    ), counted AS (
        UPDATE {codes} q SET scan_count = q.scan_count + c.n
        FROM (SELECT code_id, count(*) AS n FROM inserted WHERE NOT is_bot GROUP BY code_id) c
        WHERE q.id = c.code_id
        RETURNING q.id, q.scan_count - c.n, q.scan_count
    )
    -- What was stored and how each count moved, for the batch's subscribers (webhooks).
    SELECT NULL::uuid, id, before, after FROM counted AS t(id, before, after)
    UNION ALL SELECT event_id, code_id, NULL, NULL FROM inserted
    """  # noqa: S608


def _lock_sql() -> str:
    codes = QRCode._meta.db_table
    # Batches from several processes count on overlapping codes: taking the row locks in id
    # order first means two of them can never wait for each other in a circle.
    return f"""
    SELECT 1 FROM {codes} WHERE id IN (
        SELECT e.code_id FROM json_to_recordset(%s::json) AS e(code_id bigint)
    ) ORDER BY id FOR UPDATE
    """  # noqa: S608


def _insert_batch(items: list[str] | list[bytes]) -> None:
    """Insert scan events (and count them) in one transaction; events already stored (a
    replayed batch) and events of codes deleted since are skipped."""
    if connection.vendor == "postgresql":
        array = "[" + ",".join(i.decode() if isinstance(i, bytes) else i for i in items) + "]"
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(_lock_sql(), [array])
                cursor.execute(_flush_sql(), [array])
                stored: set[str] = set()
                counts: dict[int, tuple[int, int]] = {}
                for event_id, code_id, before, after in cursor.fetchall():
                    if event_id is None:
                        counts[code_id] = (before, after)
                    else:
                        stored.add(event_id.hex if isinstance(event_id, uuid.UUID) else event_id)
                if stored:
                    _announce(_stored_events(items, stored), counts)
            return
        except (DataError, IntegrityError):
            # A malformed event fails the whole statement; the careful path below drops it
            # and inserts the rest.
            logger.warning("a scan batch needs event-by-event insertion")
    _insert_events(items)


def _stored_events(items: list[str] | list[bytes], stored: set[str]) -> list[ScanEvent]:
    events = []
    for raw in items:
        event = ScanEvent.from_json(raw)
        if uuid.UUID(event.event_id).hex in stored:
            stored.discard(uuid.UUID(event.event_id).hex)  # a repeat inside one batch: once
            events.append(event)
    return events


def _insert_events(items: list[str] | list[bytes]) -> None:
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
        # Ascending code order, as in _lock_sql: concurrent batches never deadlock.
        for code_id in sorted(counts):
            QRCode.objects.filter(pk=code_id).update(scan_count=F("scan_count") + counts[code_id])
        after = dict(QRCode.objects.filter(pk__in=counts).values_list("pk", "scan_count"))
        _announce(fresh, {pk: (n - counts[pk], n) for pk, n in after.items()})


def scan_flush_buffer(*, max_seconds: float | None = None) -> int:
    """Move buffered scans into the database; returns how many were handled."""
    if not settings.SCAN_BUFFER_URL:
        return 0
    send_all_queued()  # this process's own queue first (tests, a flush in a web process)
    handled = buffer.drain(
        _insert_batch,
        batch_size=settings.SCAN_FLUSH_BATCH_SIZE,
        max_seconds=max_seconds if max_seconds is not None else settings.SCAN_FLUSH_MAX_SECONDS,
    )
    metrics.SCANS_FLUSHED.inc(handled)
    # The flush runs only in buffered mode and every few seconds: it keeps the salts ready in
    # Redis for web processes that must hash scans without the database.
    scan_salt_prepare()
    return handled


def scan_salt_prepare(*, today: date | None = None) -> None:
    """Create today's and tomorrow's salts ahead of their first scan, in the database and (in
    buffered mode) in Redis, and keep the database copy equal to the one scans use."""
    today = today or timezone.now().date()
    for day in (today, today + timedelta(days=1)):
        salt_prepare(day)


def scan_salt_cleanup(*, today: date | None = None) -> int:
    """Delete the salts of past days, so old visitor hashes cannot be recomputed."""
    today = today or timezone.now().date()
    deleted, _ = DailySalt.objects.filter(day__lt=today).delete()
    return deleted


def scan_count_reconcile(*, code_ids: list[int] | None = None) -> int:
    """Recount `scan_count` from the scan rows (after a database crash); returns codes updated."""
    codes = QRCode.objects.all() if code_ids is None else QRCode.objects.filter(pk__in=code_ids)
    humans = (
        Scan.objects.filter(code=OuterRef("pk"), is_bot=False)
        .order_by()
        .values("code")
        .annotate(n=Count("id"))
        .values("n")
    )
    return codes.update(scan_count=Coalesce(Subquery(humans), 0))
