"""Sending: sign, POST, record the attempt, schedule the next one.

One sender at a time per endpoint holds the endpoint's lease and sends its due deliveries in
order of creation, so a receiver sees an endpoint's events in the order they happened (a
delivery waiting for its retry does not hold up the ones after it). The lease outlives the
longest attempt (timeout included) and is renewed after each one; a sender that dies (a worker
SIGKILLed mid-request) leaves its delivery pending, and once the lease has run out the
periodic sweep hands the endpoint to another sender, which sends it again with the same
`webhook-id`.

Outcomes: 2xx delivered; 410 Gone disables the endpoint; 429 and 503 retry after their
`Retry-After`; anything else (3xx included: redirects are not followed), a timeout or a
refused address retries on WEBHOOKS_RETRY_SCHEDULE with jitter, and fails for good after the
last step. An endpoint failing without a success for WEBHOOKS_DISABLE_AFTER_DAYS is disabled
and the workspace's owners are emailed.
"""

from __future__ import annotations

import json
import logging
import random
import secrets
import time
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import urllib3
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from standardwebhooks import Webhook

from accounts.models import Membership, Role
from qrsite import http
from webhooks.models import (
    DeliveryState,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    batch_events_text,
    is_compact_batch,
    iso_time,
)

logger = logging.getLogger(__name__)

USER_AGENT = "QRStudio-Webhooks/1.0"


def body_for(delivery: WebhookDelivery) -> str:
    """The exact JSON that is signed and sent; the same bytes on every attempt.

    The event's `data` goes in as the database's own text of it (`_due` reads it so), a
    compact batch written out in full around its codes' texts: parsing ~150 KB of events
    into Python and encoding them again cost the sender more than the POST did."""
    event = delivery.event
    data = getattr(delivery, "event_data_text", None)
    if data is None:
        data = _data_texts(WebhookDelivery.objects.filter(pk=delivery.pk)).get().event_data_text
    created_at = iso_time(event.created_at)
    if delivery.is_batch:
        stored = json.loads(data)  # small: each code once
        if is_compact_batch(stored):
            data = batch_events_text(
                stored, created_at=created_at, workspace=event.workspace.public_id
            )
    envelope = {
        # Deliveries batched before batches were stored as one event kept their own id.
        "id": delivery.message_id,
        "type": event.type,
        "created_at": created_at,
        "workspace": event.workspace.public_id,
    }
    head = json.dumps(envelope, separators=(",", ":"), ensure_ascii=False)
    return f'{head[:-1]},"data":{data}}}'


def _data_texts(deliveries):
    return deliveries.defer("event__data").annotate(
        event_data_text=Cast("event__data", TextField())
    )


def sign_headers(
    *, secrets_: list[str], message_id: str, body: str, at: datetime
) -> dict[str, str]:
    """Standard Webhooks headers; one `v1,` signature per secret (two during a rotation)."""
    signatures = [Webhook(s).sign(msg_id=message_id, timestamp=at, data=body) for s in secrets_]
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": " ".join(signatures),
    }


def retry_delay(attempt_number: int) -> timedelta | None:
    """How long after failed attempt `attempt_number` (1 = the first) the next one runs, with
    ±10 % jitter so many failing deliveries do not come back at the same instant; None after
    the last step of the schedule."""
    schedule = settings.WEBHOOKS_RETRY_SCHEDULE
    if attempt_number > len(schedule):
        return None
    base = schedule[attempt_number - 1]
    return timedelta(seconds=base * random.uniform(0.9, 1.1))  # noqa: S311 - jitter, not secrecy


def _retry_after(value: str | None, now: datetime) -> timedelta | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        seconds = int(value)
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = int((when - now).total_seconds())
    return timedelta(seconds=min(max(seconds, 1), settings.WEBHOOKS_MAX_RETRY_AFTER_SECONDS))


def attempt(delivery: WebhookDelivery) -> WebhookAttempt:
    """Send `delivery` once and record what happened."""
    endpoint = delivery.endpoint
    started = timezone.now()
    body = body_for(delivery)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        **sign_headers(
            secrets_=endpoint.signing_secrets(started),
            message_id=delivery.message_id,
            body=body,
            at=started,
        ),
    }
    status = None
    snippet = ""
    error = ""
    retry_after = None
    clock = time.monotonic()
    try:
        result = http.post(
            endpoint.url,
            body=body.encode(),
            headers=headers,
            timeout=settings.WEBHOOKS_TIMEOUT_SECONDS,
            max_response_bytes=settings.WEBHOOKS_RESPONSE_SNIPPET_BYTES,
            allow_private=settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS,
            allow_http=settings.WEBHOOKS_ALLOW_HTTP,
        )
    except http.UnsafeTarget as exc:
        error = f"Refused: {exc}"
    except (urllib3.exceptions.TimeoutError, TimeoutError):
        error = f"No answer within {settings.WEBHOOKS_TIMEOUT_SECONDS:g} s (timed out)."
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        error = f"Connection failed: {type(exc).__name__}"
    else:
        status = result.status
        snippet = result.body.decode("utf-8", "replace")
        if result.truncated:
            snippet += " …(truncated)"
        if status in (429, 503):
            retry_after = _retry_after(result.headers.get("retry-after"), started)
    latency_ms = int((time.monotonic() - clock) * 1000)
    return _record(delivery, started, status, latency_ms, snippet, error, retry_after)


@transaction.atomic
def _record(delivery, started, status, latency_ms, snippet, error, retry_after) -> WebhookAttempt:
    now = timezone.now()
    number = delivery.attempt_count + 1
    succeeded = status is not None and 200 <= status < 300
    endpoint = delivery.endpoint
    if not succeeded or endpoint.failing_since is not None:
        # The endpoint's state changes: under its row lock, and the sender's copy follows.
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
        delivery.endpoint = endpoint
    next_at = None
    state = DeliveryState.PENDING
    if succeeded:
        state = DeliveryState.SUCCEEDED
        if endpoint.failing_since is not None:
            endpoint.failing_since = None
            endpoint.save(update_fields=["failing_since", "updated_at"])
    elif status == 410:
        state = DeliveryState.FAILED
        error = error or "The receiver answered 410 Gone: the endpoint was disabled."
        _disable(endpoint, "The receiver answered 410 Gone.", now)
    else:
        if status is not None and 300 <= status < 400:
            error = "Redirects are not followed; point the endpoint at the final URL."
        delay = retry_after or retry_delay(number)
        if delay is None:
            state = DeliveryState.FAILED
        else:
            next_at = now + delay
        if endpoint.failing_since is None:
            endpoint.failing_since = started
            endpoint.save(update_fields=["failing_since", "updated_at"])
        elif now - endpoint.failing_since >= timedelta(days=settings.WEBHOOKS_DISABLE_AFTER_DAYS):
            _disable(
                endpoint,
                f"Every delivery failed for {settings.WEBHOOKS_DISABLE_AFTER_DAYS} days.",
                now,
                notify=True,
            )
    record = WebhookAttempt.objects.create(
        delivery=delivery,
        number=number,
        started_at=started,
        status_code=status,
        latency_ms=latency_ms,
        response_snippet=snippet,
        error=error[:300],
        succeeded=succeeded,
        next_attempt_at=next_at,
    )
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        state=state,
        attempt_count=number,
        next_attempt_at=next_at,
        last_status_code=status,
        last_attempt_at=started,
    )
    return record


def _disable(endpoint: WebhookEndpoint, reason: str, now: datetime, *, notify=False) -> None:
    if not endpoint.is_enabled:
        return
    endpoint.is_enabled = False
    endpoint.disabled_reason = reason
    endpoint.disabled_at = now
    endpoint.save(update_fields=["is_enabled", "disabled_reason", "disabled_at", "updated_at"])
    if notify:
        owners = list(
            Membership.objects.filter(
                workspace_id=endpoint.workspace_id, role=Role.OWNER
            ).values_list("user__email", flat=True)
        )
        url, name = endpoint.url, endpoint.workspace.name
        transaction.on_commit(lambda: _email_owners(owners, url, name, reason))


def _email_owners(owners: list[str], url: str, workspace: str, reason: str) -> None:
    if not owners:
        return
    send_mail(
        subject=f"Webhook endpoint disabled in {workspace}",
        message=(
            f"We stopped sending webhooks to {url}.\n\n{reason}\n\n"
            "Fix the receiver, then enable the endpoint again under Settings → Webhooks; "
            "deliveries still pending are sent then."
        ),
        from_email=None,
        recipient_list=owners,
        fail_silently=True,
    )


# --- the sender ---------------------------------------------------------------------------------


def _lease_seconds() -> float:
    return settings.WEBHOOKS_TIMEOUT_SECONDS + settings.WEBHOOKS_LEASE_MARGIN_SECONDS


def _acquire(endpoint_id: int, token: str) -> bool:
    now = timezone.now()
    return (
        WebhookEndpoint.objects.filter(pk=endpoint_id, is_enabled=True)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now) | Q(lease_token=token))
        .update(lease_token=token, lease_until=now + timedelta(seconds=_lease_seconds()))
        == 1
    )


def _release(endpoint_id: int, token: str) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint_id, lease_token=token).update(
        lease_token="", lease_until=None
    )


def _due(endpoint_id: int, limit: int) -> list[WebhookDelivery]:
    due = WebhookDelivery.objects.filter(
        endpoint_id=endpoint_id, state=DeliveryState.PENDING, next_attempt_at__lte=timezone.now()
    ).select_related("endpoint", "event__workspace")
    return list(_data_texts(due).order_by("id")[:limit])


def endpoint_drain(*, endpoint_id: int, max_seconds: float | None = None) -> int:
    """Send the endpoint's due deliveries, oldest first, while this sender holds its lease;
    returns how many attempts were made. Another sender already at work: returns 0 at once."""
    token = secrets.token_hex(16)
    deadline = time.monotonic() + (max_seconds or settings.WEBHOOKS_DRAIN_MAX_SECONDS)
    sent = 0
    while True:
        if not _acquire(endpoint_id, token):
            return sent
        renewed = time.monotonic()
        try:
            while time.monotonic() < deadline:
                batch = _due(endpoint_id, 100)
                if not batch:
                    break
                endpoint = batch[0].endpoint
                for delivery in batch:
                    delivery.endpoint = endpoint  # one copy, kept current by _record
                    try:
                        attempt(delivery)
                    except (WebhookEndpoint.DoesNotExist, IntegrityError):
                        return sent  # the endpoint was deleted meanwhile, its log with it
                    endpoint = delivery.endpoint
                    sent += 1
                    if not endpoint.is_enabled:
                        return sent
                    # The lease runs timeout + margin from its renewal, so renewing once half
                    # the margin has passed keeps it alive through the next attempt.
                    if time.monotonic() - renewed > settings.WEBHOOKS_LEASE_MARGIN_SECONDS / 2:
                        if not _acquire(endpoint_id, token):  # False: it was lost
                            return sent
                        renewed = time.monotonic()
            else:
                return sent  # out of time: the sweep (or the caller) goes on later
        finally:
            _release(endpoint_id, token)
        # A delivery committed while this sender was finishing found the lease held and was
        # left to it: look once more now that the lease is free.
        if not _due(endpoint_id, 1):
            return sent


def endpoints_due(*, limit: int = 500) -> list[int]:
    """Endpoints with a delivery due and no live sender (for the periodic sweep)."""
    now = timezone.now()
    return list(
        WebhookDelivery.objects.filter(
            state=DeliveryState.PENDING, next_attempt_at__lte=now, endpoint__is_enabled=True
        )
        .filter(Q(endpoint__lease_until__isnull=True) | Q(endpoint__lease_until__lt=now))
        .order_by()
        .values_list("endpoint_id", flat=True)
        .distinct()[:limit]
    )
