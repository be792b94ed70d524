"""Scan events, written from the scan-recording batch (direct insert or buffered flush).

The batch holds the row locks of its codes and says how each code's count moved
(before, after); a threshold T is reached by the one batch with before < T <= after, and
the event's dedupe key (code, T) keeps it to once even if counts were later recounted.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from codes.models import QRCode
from qrsite.ids import new_public_id
from webhooks import events as ev
from webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from webhooks.payloads import code_payload, scan_payload
from webhooks.tasks import endpoint_drain_enqueue


def scan_events_record(*, scans: list, counts: dict[int, tuple[int, int]]) -> int:
    """Write code.scanned, code.first_scan and code.scan_threshold_reached events for the
    scans a batch stored, with their deliveries; returns how many events were written."""
    workspace_ids = {scan.workspace_id for scan in scans}
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(
            workspace_id__in=workspace_ids, is_enabled=True
        )
        if any(endpoint.wants(t) for t in ev.SCAN_TYPES)
    ]
    if not endpoints:
        return 0
    # (event, endpoints it goes to); code.scanned events are collected apart for batching.
    planned: list[tuple[WebhookEvent, list[WebhookEndpoint]]] = []
    scanned: list[tuple[UnsavedScanEvent, list[WebhookEndpoint]]] = []
    codes = _codes(scans, counts, endpoints)
    now = timezone.now()

    def for_code(event_type: str, code: QRCode) -> list[WebhookEndpoint]:
        return [
            e
            for e in endpoints
            if e.workspace_id == code.workspace_id
            and e.is_test == code.is_test  # a sandbox code's scans reach test endpoints only
            and e.wants(event_type)
            and (e.group_id is None or e.group_id == code.group_id)
        ]

    first_scan_of: dict[int, object] = {}
    for scan in scans:
        code = codes.get(scan.code_id)
        if code is None:
            continue
        if not scan.is_bot:
            first_scan_of.setdefault(scan.code_id, scan)
        targets = for_code(ev.CODE_SCANNED, code)
        if targets:
            scanned.append((UnsavedScanEvent(code, scan_payload(scan)), targets))
    for code_id, (before, after) in counts.items():
        code = codes.get(code_id)
        if code is None:
            continue
        if before == 0 < after and code_id in first_scan_of:
            targets = for_code(ev.CODE_FIRST_SCAN, code)
            if targets:
                data = {"code": code.payload, "scan": scan_payload(first_scan_of[code_id])}
                planned.append(
                    (_event(code, ev.CODE_FIRST_SCAN, data, now, f"first_scan:{code_id}"), targets)
                )
        wanting = for_code(ev.CODE_SCAN_THRESHOLD_REACHED, code)
        for threshold in sorted({t for e in wanting for t in e.thresholds_for(code.public_id)}):
            if before < threshold <= after:
                targets = [e for e in wanting if threshold in e.thresholds_for(code.public_id)]
                data = {"code": code.payload, "threshold": threshold, "scans": after}
                key = f"threshold:{code_id}:{threshold}"
                planned.append(
                    (_event(code, ev.CODE_SCAN_THRESHOLD_REACHED, data, now, key), targets)
                )
    return _write(scanned, planned, now)


def _codes(scans, counts, endpoints) -> dict[int, QRCode]:
    ids = {scan.code_id for scan in scans} | set(counts)
    found = {
        code.pk: code
        for code in QRCode.objects.filter(pk__in=ids).select_related("group", "logo", "workspace")
    }
    for code in found.values():
        code.payload = code_payload(code)
    return found


def _event(code, event_type, data, now, dedupe_key=None) -> WebhookEvent:
    event = WebhookEvent(
        workspace_id=code.workspace_id,
        type=event_type,
        data=data,
        created_at=now,
        dedupe_key=dedupe_key,
    )
    event.group_id = code.group_id
    return event


def _write(scanned, planned, now) -> int:
    # Once-only events: skip those already written (a recount that crossed again).
    keys = [event.dedupe_key for event, _ in planned]
    if keys:
        done = set(
            WebhookEvent.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True)
        )
        planned = [(event, targets) for event, targets in planned if event.dedupe_key not in done]
    if not scanned and not planned:
        return 0
    # code.scanned: one event row per scan for the endpoints that take one request per scan;
    # for those that batch, one row per chunk holding the chunk's events (a flush of 1,000
    # scans writes 10 rows, not 1,000 plus their links).
    single: list[tuple[WebhookEvent, list[WebhookEndpoint]]] = []
    per_batching_endpoint: dict[int, tuple[WebhookEndpoint, list[UnsavedScanEvent]]] = {}
    for scan_event, targets in scanned:
        one_each = [e for e in targets if e.scan_batch_size <= 1]
        if one_each:
            single.append((scan_event.row(now), one_each))
        for endpoint in targets:
            if endpoint.scan_batch_size > 1:
                per_batching_endpoint.setdefault(endpoint.pk, (endpoint, []))[1].append(scan_event)
    batched: list[tuple[WebhookEvent, WebhookEndpoint]] = []
    for endpoint, scan_events in per_batching_endpoint.values():
        size = endpoint.scan_batch_size
        for start in range(0, len(scan_events), size):
            chunk = scan_events[start : start + size]
            batched.append((_batch_row(chunk, now), endpoint))
    # (event, endpoints, is_batch), in the order the deliveries are to go out.
    messages = [
        *((event, targets, False) for event, targets in single),
        *((event, [endpoint], True) for event, endpoint in batched),
        *((event, targets, False) for event, targets in planned),
    ]
    with transaction.atomic():
        WebhookEvent.objects.bulk_create([event for event, _, _ in messages])
        deliveries = [
            WebhookDelivery(
                endpoint=endpoint, event=event, message_id=event.public_id, is_batch=is_batch
            )
            for event, targets, is_batch in messages
            for endpoint in targets
        ]
        WebhookDelivery.objects.bulk_create(deliveries)
    for endpoint_id in {delivery.endpoint_id for delivery in deliveries}:
        endpoint_drain_enqueue(endpoint_id)
    return len(scanned) + len(planned)


class UnsavedScanEvent:
    """One code.scanned event before it is stored: its id is fixed here, so a scan has the
    same `evt_` id in a batch and as its own row."""

    __slots__ = ("code", "public_id", "scan")

    def __init__(self, code: QRCode, scan: dict):
        self.code = code
        self.scan = scan
        self.public_id = new_public_id("evt")

    def data(self) -> dict:
        return {"code": self.code.payload, "scan": self.scan}

    def row(self, now) -> WebhookEvent:
        event = _event(self.code, ev.CODE_SCANNED, self.data(), now)
        event.public_id = self.public_id
        return event


def _batch_row(chunk: list[UnsavedScanEvent], now) -> WebhookEvent:
    """The stored message of one batched delivery: its own id (the `webhook-id`), each of the
    chunk's codes once and each scan by its event id (sent as `data.events`, each event in
    full: `batch_events_text`)."""
    codes = {e.code.public_id: e.code.payload for e in chunk}
    scans = [{"id": e.public_id, "code": e.code.public_id, "scan": e.scan} for e in chunk]
    return _event(chunk[0].code, ev.CODE_SCANNED, {"codes": codes, "scans": scans}, now)
