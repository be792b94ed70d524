"""Every write to webhook endpoints, events and deliveries: the one write path.

The API, the dashboard, the admin and the tasks call these. Endpoint changes need a workspace
owner or admin (`actor` is their membership). `event_record` is the outbox's door: other
apps (codes through its signal, analytics through its scan batch, jobs) record events with
it inside their own transaction.
"""

from __future__ import annotations

import base64
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from accounts.models import Membership, User, Workspace
from codes.models import CampaignGroup, QRCode
from qrsite.hot_reads import HotRead
from qrsite.http import UnsafeTarget, target_check
from webhooks import events as ev
from webhooks.models import DeliveryState, WebhookDelivery, WebhookEndpoint, WebhookEvent

DESCRIPTION_MAX = 200
THRESHOLDS_MAX = 20


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


def _check_manager(actor: Membership | User, workspace_id: int) -> None:
    """Owners and admins of the workspace; an operator (staff) acting from the admin site."""
    if isinstance(actor, User):
        if actor.is_staff or actor.is_superuser:
            return  # the admin site gates its actions by model permissions
        raise PermissionDenied("Only workspace owners and admins can manage webhooks.")
    if actor.workspace_id != workspace_id:
        raise Http404("No such webhook endpoint.")
    if not actor.can_manage:
        raise PermissionDenied("Only workspace owners and admins can manage webhooks.")


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def url_check(url: str) -> str:
    """The URL, stripped, or a ValidationError saying why it cannot receive webhooks."""
    try:
        target_check(
            url,
            allow_private=settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS,
            allow_http=settings.WEBHOOKS_ALLOW_HTTP,
        )
    except UnsafeTarget as exc:
        raise ValidationError({"url": str(exc)}) from None
    url = url.strip()
    if len(url) > 2000:
        raise ValidationError({"url": "Use a URL of at most 2000 characters."})
    return url


def _clean_events(events: Any) -> list[str]:
    if not isinstance(events, list | tuple) or not events:
        raise ValidationError(
            {"events": 'Choose at least one event type, or ["*"] for every type.'}
        )
    cleaned: list[str] = []
    for name in events:
        if name == "*":
            return ["*"]
        if not isinstance(name, str) or name not in ev.SUBSCRIBABLE:
            raise ValidationError(
                {"events": f"Unknown event type “{name}”. Known: {', '.join(ev.SUBSCRIBABLE)}."}
            )
        if name not in cleaned:
            cleaned.append(name)
    return cleaned


def _clean_thresholds(values: Any) -> list[int]:
    if values is None:
        return []
    if not isinstance(values, list | tuple):
        raise ValidationError({"scan_thresholds": "Give a list of scan counts, like [100, 1000]."})
    cleaned = set()
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError({"scan_thresholds": f"“{value}” is not a whole number."})
        if value < 1:
            raise ValidationError(
                {"scan_thresholds": f"A threshold must be at least 1 scan (got {value})."}
            )
        if value > 2_000_000_000:
            raise ValidationError({"scan_thresholds": "A threshold is at most 2,000,000,000."})
        cleaned.add(value)
    if len(cleaned) > THRESHOLDS_MAX:
        raise ValidationError({"scan_thresholds": f"At most {THRESHOLDS_MAX} thresholds."})
    return sorted(cleaned)


def _clean_code_thresholds(
    values: Any, workspace_id: int, *, sandbox: bool = False
) -> dict[str, list[int]]:
    """{"code_...": [counts]}: thresholds for single codes of the workspace."""
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise ValidationError(
            {"code_scan_thresholds": 'Give code ids and their counts, like {"code_…": [50]}.'}
        )
    known = set(
        # Codes of the endpoint's own mode only: the other mode's ids are unknown here.
        QRCode.objects.in_mode(sandbox=sandbox)
        .filter(workspace_id=workspace_id, public_id__in=list(values))
        .values_list("public_id", flat=True)
    )
    cleaned = {}
    for code_id, counts in values.items():
        if code_id not in known:
            raise ValidationError(
                {"code_scan_thresholds": f"No code “{code_id}” in this workspace."}
            )
        try:
            cleaned[code_id] = _clean_thresholds(counts)
        except ValidationError as exc:
            message = " ".join(exc.messages)
            raise ValidationError({"code_scan_thresholds": f"{code_id}: {message}"}) from None
    if len(cleaned) > 1000:
        raise ValidationError({"code_scan_thresholds": "At most 1000 codes per endpoint."})
    return cleaned


def _clean_batch_size(value: Any) -> int:
    limit = settings.WEBHOOKS_MAX_SCAN_BATCH_SIZE
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= limit:
        raise ValidationError(
            {"scan_batch_size": f"Choose from 1 (one request per scan) to {limit} scans."}
        )
    return value


def _clean_description(value: Any) -> str:
    text = " ".join(str(value or "").split())
    if len(text) > DESCRIPTION_MAX:
        raise ValidationError({"description": f"Use at most {DESCRIPTION_MAX} characters."})
    return text


def _check_group(
    group: CampaignGroup | None, workspace_id: int, *, sandbox: bool = False
) -> CampaignGroup | None:
    if group is not None and (group.workspace_id != workspace_id or group.is_test != sandbox):
        raise ValidationError({"group": "No such group in this workspace."})
    return group


def _collect(checks: dict[str, tuple[Any, Any]]) -> dict[str, Any]:
    """Run every cleaner; raise one ValidationError naming every field at fault."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for field, (value, cleaner) in checks.items():
        if value is UNSET:
            continue
        try:
            cleaned[field] = cleaner(value)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def endpoint_create(
    *,
    workspace: Workspace,
    actor: Membership,
    url: str,
    events: list[str],
    description: str = "",
    group: CampaignGroup | None = None,
    scan_thresholds: list[int] | None = None,
    code_scan_thresholds: dict[str, list[int]] | None = None,
    scan_batch_size: int = 1,
    is_enabled: bool = True,
    sandbox: bool = False,
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; returns it with its signing secret (shown to the user once). A
    test-mode endpoint (`sandbox`) hears the sandbox's events and no live ones."""
    _check_manager(actor, workspace.pk)
    cleaned = _collect(
        {
            "url": (url, url_check),
            "events": (events, _clean_events),
            "description": (description, _clean_description),
            "group": (group, lambda g: _check_group(g, workspace.pk, sandbox=sandbox)),
            "scan_thresholds": (scan_thresholds, _clean_thresholds),
            "code_scan_thresholds": (
                code_scan_thresholds,
                lambda v: _clean_code_thresholds(v, workspace.pk, sandbox=sandbox),
            ),
            "scan_batch_size": (scan_batch_size, _clean_batch_size),
        }
    )
    # The workspace row lock makes the limit hold under concurrent creates.
    Workspace.objects.select_for_update().filter(pk=workspace.pk).first()
    limit = settings.WEBHOOKS_MAX_ENDPOINTS_PER_WORKSPACE
    if WebhookEndpoint.objects.filter(workspace=workspace).count() >= limit:
        raise ValidationError(
            {"url": f"A workspace has at most {limit} webhook endpoints; delete one first."}
        )
    secret = new_secret()
    endpoint = WebhookEndpoint.objects.create(
        workspace=workspace,
        secret=secret,
        is_enabled=bool(is_enabled),
        is_test=bool(sandbox),
        **cleaned,
    )
    return endpoint, secret


@transaction.atomic
def endpoint_update(
    *,
    endpoint: WebhookEndpoint,
    actor: Membership,
    url: Any = UNSET,
    events: Any = UNSET,
    description: Any = UNSET,
    group: Any = UNSET,
    scan_thresholds: Any = UNSET,
    code_scan_thresholds: Any = UNSET,
    scan_batch_size: Any = UNSET,
    is_enabled: Any = UNSET,
) -> WebhookEndpoint:
    """Change the given fields (UNSET leaves one alone). Enabling an endpoint clears its
    failure state; its pending deliveries then go out."""
    _check_manager(actor, endpoint.workspace_id)
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    changed = _collect(
        {
            "url": (url, url_check),
            "events": (events, _clean_events),
            "description": (description, _clean_description),
            "group": (
                group,
                lambda g: _check_group(g, endpoint.workspace_id, sandbox=endpoint.is_test),
            ),
            "scan_thresholds": (scan_thresholds, _clean_thresholds),
            "code_scan_thresholds": (
                code_scan_thresholds,
                lambda v: _clean_code_thresholds(
                    v, endpoint.workspace_id, sandbox=endpoint.is_test
                ),
            ),
            "scan_batch_size": (scan_batch_size, _clean_batch_size),
            "is_enabled": (is_enabled, bool),
        }
    )
    if changed.get("is_enabled") is True and not endpoint.is_enabled:
        changed.update(disabled_reason="", disabled_at=None, failing_since=None)
    elif changed.get("is_enabled") is False and endpoint.is_enabled:
        changed.update(disabled_reason="Disabled by a workspace admin.", disabled_at=timezone.now())
    for field, value in changed.items():
        setattr(endpoint, field, value)
    # Named fields only: a sender's lease on the row is not this write's business.
    endpoint.save(update_fields=[*changed, "updated_at"])
    if endpoint.is_enabled:
        _drain_after_commit(endpoint.pk)
    return endpoint


@transaction.atomic
def endpoint_delete(*, endpoint: WebhookEndpoint, actor: Membership) -> None:
    """Delete the endpoint with its delivery log; nothing more is sent to it."""
    _check_manager(actor, endpoint.workspace_id)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).delete()


@transaction.atomic
def endpoint_rotate_secret(
    *, endpoint: WebhookEndpoint, actor: Membership
) -> tuple[WebhookEndpoint, str]:
    """A new signing secret; for WEBHOOKS_SECRET_OVERLAP_HOURS every delivery is signed with
    both, so the receiver can switch without refusing anything."""
    _check_manager(actor, endpoint.workspace_id)
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    secret = new_secret()
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = timezone.now() + timedelta(
        hours=settings.WEBHOOKS_SECRET_OVERLAP_HOURS
    )
    endpoint.secret = secret
    endpoint.save(
        update_fields=["secret", "previous_secret", "previous_secret_expires_at", "updated_at"]
    )
    return endpoint, secret


@transaction.atomic
def endpoint_send_test(*, endpoint: WebhookEndpoint, actor: Membership) -> WebhookDelivery:
    """Send a `webhook.test` event to this endpoint (and no other)."""
    _check_manager(actor, endpoint.workspace_id)
    if not endpoint.is_enabled:
        raise ValidationError({"endpoint": "This endpoint is disabled; enable it first."})
    event = WebhookEvent.objects.create(
        workspace_id=endpoint.workspace_id,
        type=ev.WEBHOOK_TEST,
        data={"endpoint": endpoint.public_id, "message": "This is a test event."},
    )
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event=event, message_id=event.public_id
    )
    _drain_after_commit(endpoint.pk)
    return delivery


@transaction.atomic
def delivery_redeliver(*, delivery: WebhookDelivery, actor: Membership) -> WebhookDelivery:
    """Send a delivered or failed message again, as a new delivery with the same `webhook-id`."""
    endpoint = delivery.endpoint
    _check_manager(actor, endpoint.workspace_id)
    if not endpoint.is_enabled:
        raise ValidationError({"endpoint": "This endpoint is disabled; enable it first."})
    if delivery.state == DeliveryState.PENDING:
        # Already on its way: bring its next attempt forward instead of sending it twice.
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        _drain_after_commit(endpoint.pk)
        delivery.refresh_from_db()
        return delivery
    again = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_id=delivery.event_id,
        is_batch=delivery.is_batch,
        message_id=delivery.message_id,
    )
    _drain_after_commit(endpoint.pk)
    return again


# --- the outbox ---------------------------------------------------------------------------------


# Asked on every code change and every batch of scans, mostly to learn there is no endpoint.
_ENABLED_ENDPOINTS = HotRead(
    [(WebhookEndpoint, "e")],
    "FROM {e_table} WHERE {e}.workspace_id = %s AND {e}.is_enabled AND {e}.is_test = %s"
    " ORDER BY {e}.created_at DESC, {e}.id DESC",
)


def endpoints_wanting(
    *, workspace_id: int, event_type: str, group_id: int | None = None, sandbox: bool = False
) -> list[WebhookEndpoint]:
    """The enabled endpoints of one mode that want the event: a sandbox object's events go
    to test-mode endpoints only, a live object's to live endpoints only."""
    return [
        e
        for (e,) in _ENABLED_ENDPOINTS.fetch_all([workspace_id, bool(sandbox)])
        if e.wants(event_type) and (e.group_id is None or e.group_id == group_id)
    ]


def event_record(
    *,
    workspace: Workspace | int,
    type: str,
    data: dict,
    group_id: int | None = None,
    dedupe_key: str | None = None,
    endpoints: list[WebhookEndpoint] | None = None,
    sandbox: bool = False,
) -> WebhookEvent | None:
    """Write an event and a delivery for each enabled endpoint that wants it, in the caller's
    transaction; the sender runs once it commits. None when no endpoint wants it (nothing is
    stored) or when `dedupe_key` was used before. `group_id` is the campaign group of the code
    the event is about (endpoints filtered by group see only their group's events).

    For the jobs app: `event_record(workspace=job.workspace, type="job.completed",
    data={"job": <the job as the API shows it>})`, from inside the transaction that finishes
    the job."""
    if type not in ev.EVENT_TYPES:
        raise ValueError(f"unknown webhook event type {type!r}")
    workspace_id = workspace if isinstance(workspace, int) else workspace.pk
    if endpoints is None:
        endpoints = endpoints_wanting(
            workspace_id=workspace_id, event_type=type, group_id=group_id, sandbox=sandbox
        )
    if not endpoints:
        return None
    with transaction.atomic():
        if dedupe_key and WebhookEvent.objects.filter(dedupe_key=dedupe_key).exists():
            return None
        event = WebhookEvent.objects.create(
            workspace_id=workspace_id, type=type, data=data, dedupe_key=dedupe_key
        )
        WebhookDelivery.objects.bulk_create(
            [
                WebhookDelivery(endpoint=endpoint, event=event, message_id=event.public_id)
                for endpoint in endpoints
            ]
        )
    for endpoint in endpoints:
        _drain_after_commit(endpoint.pk)
    return event


def _drain_after_commit(endpoint_id: int) -> None:
    from webhooks.tasks import endpoint_drain_enqueue

    endpoint_drain_enqueue(endpoint_id)
