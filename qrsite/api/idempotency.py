"""`Idempotency-Key` on POST: retry safely, get the first answer back byte for byte.

A key is claimed by inserting a row in its own (autocommit) transaction before the handler
runs; the unique constraint on (caller, key) makes the claim atomic across processes and
machines. The finished response is stored on the row; a retry with the same request replays
it, a different request with the same key is refused (422), and a retry that arrives while the
first is still running is told to wait (409 + Retry-After). A 5xx releases the key so the
retry runs again; a claim whose process died is taken over after a lock timeout.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from qrsite.api.errors import ApiError
from qrsite.api.models import IdempotencyRecord

HEADER = "Idempotency-Key"
# Headers worth replaying; rate-limit headers describe the retry, not the first request.
REPLAYED_HEADERS = ("Location", "ETag", "Content-Disposition")
MAX_KEY_LENGTH = 255


def fingerprint(request, *, streamed: bool = False) -> str:
    digest = hashlib.sha256()
    for part in (request.method, request.get_full_path(), request.META.get("HTTP_ACCEPT", "")):
        digest.update(part.encode() + b"\n")
    if streamed:  # an upload is not read whole: its size (a multipart boundary changes per try)
        digest.update(request.META.get("CONTENT_LENGTH", "").encode())
    else:
        digest.update(request.body)
    return digest.hexdigest()


def key_from(request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        raise ValidationError(
            {HEADER: [f"Use 1 to {MAX_KEY_LENGTH} printable ASCII characters (a UUID is ideal)."]}
        )
    return key


@dataclass
class Claim:
    record: IdempotencyRecord | None = None  # ours to complete
    replay: IdempotencyRecord | None = None  # a finished first response


def _in_progress() -> ApiError:
    return ApiError(
        "idempotency_in_progress",
        "A request with this Idempotency-Key is still being processed; retry shortly.",
        field=HEADER,
        headers={"Retry-After": "1"},
    )


def claim(*, principal: str, key: str, fingerprint: str) -> Claim:
    now = timezone.now()
    ttl = timedelta(hours=settings.API_IDEMPOTENCY_TTL_HOURS)
    lock = timedelta(seconds=settings.API_IDEMPOTENCY_LOCK_SECONDS)
    for _ in range(3):
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    principal=principal,
                    key=key,
                    fingerprint=fingerprint,
                    created_at=now,
                    locked_at=now,
                )
            return Claim(record=record)
        except IntegrityError:
            pass
        existing = IdempotencyRecord.objects.filter(principal=principal, key=key).first()
        if existing is None:
            continue  # released between our insert and this read: try again
        if existing.created_at < now - ttl:
            # Past its lifetime the key is free again; delete exactly the row we saw.
            IdempotencyRecord.objects.filter(
                pk=existing.pk, created_at=existing.created_at
            ).delete()
            continue
        if existing.fingerprint != fingerprint:
            raise ApiError(
                "idempotency_key_reused",
                "This Idempotency-Key was already used for a different request.",
                field=HEADER,
            )
        if existing.is_complete:
            return Claim(replay=existing)
        if existing.locked_at < now - lock:
            taken = IdempotencyRecord.objects.filter(
                pk=existing.pk, status_code__isnull=True, locked_at=existing.locked_at
            ).update(locked_at=now)
            if taken:
                existing.locked_at = now
                return Claim(record=existing)
        raise _in_progress()
    raise _in_progress()


def complete(record: IdempotencyRecord, response, *, body: bytes | None = None) -> None:
    """Keep the rendered response (or `body` in its place) for replays; a server error frees
    the key instead."""
    if response.status_code >= 500:
        release(record)
        return
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response.render()
    record.status_code = response.status_code
    record.content_type = response.get("Content-Type", "")
    record.headers = {
        name: response[name] for name in REPLAYED_HEADERS if response.has_header(name)
    }
    record.body = bytes(response.content) if body is None else body
    record.save(update_fields=["status_code", "content_type", "headers", "body"])


def release(record: IdempotencyRecord) -> None:
    IdempotencyRecord.objects.filter(pk=record.pk, status_code__isnull=True).delete()


def replay_response(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(
        bytes(record.body), status=record.status_code, content_type=record.content_type or None
    )
    for name, value in record.headers.items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


def purge_expired() -> int:
    """Delete records past their lifetime (run periodically)."""
    cutoff = timezone.now() - timedelta(hours=settings.API_IDEMPOTENCY_TTL_HOURS)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def forget(*, principals: list[str], principal_suffix: str | None = None) -> int:
    """Delete the records of these callers (and of those whose name ends with the suffix):
    the stored responses go with the workspace or key they belong to."""
    records = IdempotencyRecord.objects.filter(principal__in=principals)
    if principal_suffix:
        records = records | IdempotencyRecord.objects.filter(principal__endswith=principal_suffix)
    deleted, _ = records.delete()
    return deleted
