"""Scan events, written from the scan-recording batch (direct insert or buffered flush).

The batch holds the row locks of its codes and says how each code's count moved
(before, after); a threshold T is reached by the one batch with before < T <= after, and
the event's dedupe key (code, T) keeps it to once even if counts were later recounted.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from codes.models import QRCode
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
    scanned: list[tuple[WebhookEvent, list[WebhookEndpoint]]] = []
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
            data = {"code": code.payload, "scan": scan_payload(scan)}
            scanned.append((_event(code, ev.CODE_SCANNED, data, now), targets))
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
    return _write(scanned, planned)


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


def _write(scanned, planned) -> int:
    # Once-only events: skip those already written (a recount that crossed again).
    keys = [event.dedupe_key for event, _ in planned]
    if keys:
        done = set(
            WebhookEvent.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True)
        )
        planned = [(event, targets) for event, targets in planned if event.dedupe_key not in done]
    ordered = scanned + planned
    if not ordered:
        return 0
    with transaction.atomic():
        WebhookEvent.objects.bulk_create([event for event, _ in ordered])
        deliveries: list[WebhookDelivery] = []
        batches: list[tuple[WebhookDelivery, list[WebhookEvent]]] = []
        # code.scanned: one delivery per scan, or one per chunk for endpoints that batch.
        by_endpoint: dict[int, tuple[WebhookEndpoint, list[WebhookEvent]]] = {}
        for event, targets in scanned:
            for endpoint in targets:
                by_endpoint.setdefault(endpoint.pk, (endpoint, []))[1].append(event)
        for endpoint, events in by_endpoint.values():
            if endpoint.scan_batch_size <= 1:
                deliveries += [
                    WebhookDelivery(endpoint=endpoint, event=e, message_id=e.public_id)
                    for e in events
                ]
                continue
            size = endpoint.scan_batch_size
            for start in range(0, len(events), size):
                chunk = events[start : start + size]
                delivery = WebhookDelivery(endpoint=endpoint, event=chunk[0], is_batch=True)
                delivery.message_id = delivery.public_id
                deliveries.append(delivery)
                batches.append((delivery, chunk))
        for event, targets in planned:
            deliveries += [
                WebhookDelivery(endpoint=endpoint, event=event, message_id=event.public_id)
                for endpoint in targets
            ]
        WebhookDelivery.objects.bulk_create(deliveries)
        if batches:
            through = WebhookDelivery.batch.through
            through.objects.bulk_create(
                [
                    through(webhookdelivery_id=delivery.pk, webhookevent_id=event.pk)
                    for delivery, chunk in batches
                    for event in chunk
                ]
            )
    for endpoint_id in {delivery.endpoint_id for delivery in deliveries}:
        endpoint_drain_enqueue(endpoint_id)
    return len(ordered)
