"""Webhook endpoints, the outbox of events, and every delivery attempt.

An event row is written in the same transaction as the change it reports, together with one
delivery row per endpoint that wants it (the outbox): a rolled-back change leaves neither, a
committed one leaves both, and the delivery task is enqueued only once they are committed.
"""

from __future__ import annotations

import json

from django.db import models
from django.db.models import Q
from django.utils import timezone

from qrsite.fields import JSONField
from qrsite.ids import new_public_id
from qrsite.sandbox import SandboxQuerySet, sandbox_field


def iso_time(moment) -> str:
    """A time as payloads show it: ISO 8601 in UTC with a Z."""
    return moment.isoformat().replace("+00:00", "Z")


def _compact(value) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def batch_events_text(data: dict, *, created_at: str, workspace: str) -> str:
    """A stored batch's `data` as it is sent: `{"events": [...]}`, each scan's event in full,
    as it would be sent alone. The batch stores each code once (`codes`) and each scan as its
    event id, its code's id and what analytics stored (`scans`): a hundred scans of one code
    are ~25 KB instead of ~150 KB to write, keep and read."""
    codes = {public_id: _compact(code) for public_id, code in data["codes"].items()}
    common = (
        f',"type":"code.scanned","created_at":{_compact(created_at)},'
        f'"workspace":{_compact(workspace)},"data":{{"code":'
    )
    events = [
        f'{{"id":{_compact(scan["id"])}{common}{codes[scan["code"]]},"scan":{_compact(scan["scan"])}}}}}'
        for scan in data["scans"]
    ]
    return '{"events":[' + ",".join(events) + "]}"


def is_compact_batch(data) -> bool:
    # Batches stored before they were compact hold their events in full under "events".
    return isinstance(data, dict) and "scans" in data and "codes" in data


def _endpoint_id() -> str:
    return new_public_id("whk")


def _event_id() -> str:
    return new_public_id("evt")


def _delivery_id() -> str:
    return new_public_id("dlv")


class WebhookEndpoint(models.Model):
    public_id = models.CharField(max_length=32, unique=True, default=_endpoint_id, editable=False)
    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.CharField(max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    # Event types it receives; ["*"] means every type, present and future.
    events = models.JSONField(default=list)
    # Only events about codes of this group (None: every code).
    group = models.ForeignKey(
        "codes.CampaignGroup", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    scan_thresholds = models.JSONField(default=list, blank=True)
    # More thresholds for single codes: {"code_...": [50, 500]}, on top of scan_thresholds.
    code_scan_thresholds = models.JSONField(default=dict, blank=True)
    # code.scanned deliveries carry up to this many scans each (1: one request per scan).
    scan_batch_size = models.PositiveSmallIntegerField(default=1)
    is_enabled = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    # Signing secrets (whsec_...): kept readable, since every delivery is signed with them.
    secret = models.CharField(max_length=100)
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    # Start of the current run of failed attempts (None while deliveries succeed).
    failing_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # One sender at a time per endpoint (ordered delivery): a lease renewed after every attempt.
    lease_token = models.CharField(max_length=32, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    # A test-mode endpoint (made with a test key) hears only sandbox events; a live one only live.
    is_test = sandbox_field()

    objects = SandboxQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["workspace", "is_enabled"], name="whk_ws_enabled")]

    def __str__(self) -> str:
        return self.url

    def thresholds_for(self, code_public_id: str) -> set[int]:
        return set(self.scan_thresholds) | set(self.code_scan_thresholds.get(code_public_id, []))

    def wants(self, event_type: str) -> bool:
        return "*" in self.events or event_type in self.events

    def signing_secrets(self, now=None) -> list[str]:
        """The current secret, and the previous one while a rotation's overlap lasts."""
        now = now or timezone.now()
        secrets = [self.secret]
        if (
            self.previous_secret
            and self.previous_secret_expires_at
            and self.previous_secret_expires_at > now
        ):
            secrets.append(self.previous_secret)
        return secrets


class WebhookEvent(models.Model):
    """An event as it is sent. A batched code.scanned delivery's message is an event too: it
    is sent with `data.events` holding the scans' events, each with its own id, and stores
    them compactly (`batch_events_text`)."""

    public_id = models.CharField(max_length=32, unique=True, default=_event_id, editable=False)
    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=60)
    data = JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    # Makes an event that must happen once happen once (a code's scan threshold).
    dedupe_key = models.CharField(max_length=120, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["workspace", "created_at"], name="whe_ws_time")]

    def __str__(self) -> str:
        return f"{self.type} {self.public_id}"

    def payload(self) -> dict:
        created_at = iso_time(self.created_at)
        data = self.data
        if is_compact_batch(data):
            data = json.loads(
                batch_events_text(data, created_at=created_at, workspace=self.workspace.public_id)
            )
        return {
            "id": self.public_id,
            "type": self.type,
            "created_at": created_at,
            "workspace": self.workspace.public_id,
            "data": data,
        }


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Delivered"
    FAILED = "failed", "Failed"


class WebhookDelivery(models.Model):
    """One message to one endpoint: an event, or (batched code.scanned) an event holding
    several scans' events."""

    public_id = models.CharField(max_length=32, unique=True, default=_delivery_id, editable=False)
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    is_batch = models.BooleanField(default=False)
    # The `webhook-id` header (the event's id); the same on every retry and redelivery, so
    # the receiver can use it to drop repeats.
    message_id = models.CharField(max_length=40, db_index=True)
    state = models.CharField(
        max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempt_count = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        indexes = [
            # The sender's query: an endpoint's due deliveries in order of creation.
            models.Index(
                fields=["endpoint", "id"],
                condition=Q(state="pending"),
                name="whd_pending_by_endpoint",
            ),
            # The sweeper's query: anything due, on any endpoint.
            models.Index(
                fields=["next_attempt_at"], condition=Q(state="pending"), name="whd_pending_due"
            ),
        ]

    def __str__(self) -> str:
        return self.public_id


class WebhookAttempt(models.Model):
    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(default=0)
    # The first bytes of the answer only (WEBHOOKS_RESPONSE_SNIPPET_BYTES), never the whole.
    response_snippet = models.TextField(blank=True)
    error = models.CharField(max_length=300, blank=True)
    succeeded = models.BooleanField(default=False)
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.delivery_id}"
