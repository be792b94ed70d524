"""Webhook API shapes: endpoints (the secret only in the create and rotate answers), deliveries
with their attempts."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from qrsite.api.serializers import StrictSerializer
from webhooks.events import SUBSCRIBABLE


class WebhookEndpointSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    url = serializers.URLField()
    description = serializers.CharField()
    events = serializers.ListField(child=serializers.CharField())
    group = serializers.SerializerMethodField()
    scan_thresholds = serializers.ListField(child=serializers.IntegerField())
    code_scan_thresholds = serializers.DictField(
        child=serializers.ListField(child=serializers.IntegerField())
    )
    scan_batch_size = serializers.IntegerField()
    is_enabled = serializers.BooleanField()
    status = serializers.SerializerMethodField()
    disabled_reason = serializers.CharField()
    failing_since = serializers.DateTimeField(allow_null=True)
    secret_rotation_ends_at = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_group(self, endpoint) -> str | None:
        return endpoint.group.slug if endpoint.group_id else None

    @extend_schema_field(serializers.ChoiceField(choices=["active", "failing", "disabled"]))
    def get_status(self, endpoint) -> str:
        if not endpoint.is_enabled:
            return "disabled"
        return "failing" if endpoint.failing_since else "active"

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_secret_rotation_ends_at(self, endpoint):
        secrets = endpoint.signing_secrets()
        if len(secrets) < 2:
            return None
        return serializers.DateTimeField().to_representation(endpoint.previous_secret_expires_at)


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(
        help_text="The signing secret (whsec_...): in this response only, never again."
    )


_EVENTS_HELP = f'Event types, or ["*"] for all: {", ".join(SUBSCRIBABLE)}.'


class WebhookEndpointCreateSerializer(StrictSerializer):
    url = serializers.CharField(max_length=2000)
    events = serializers.ListField(child=serializers.CharField(), help_text=_EVENTS_HELP)
    description = serializers.CharField(required=False, allow_blank=True, max_length=200)
    group = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, help_text="Group id or slug."
    )
    scan_thresholds = serializers.ListField(
        child=serializers.JSONField(), required=False, help_text="Scan counts, like [100, 1000]."
    )
    code_scan_thresholds = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        help_text='More thresholds for single codes: {"code_...": [50, 500]}.',
    )
    scan_batch_size = serializers.JSONField(
        required=False, help_text="code.scanned scans per request (1: one request per scan)."
    )
    is_enabled = serializers.BooleanField(required=False)


class WebhookEndpointUpdateSerializer(WebhookEndpointCreateSerializer):
    url = serializers.CharField(max_length=2000, required=False)
    events = serializers.ListField(
        child=serializers.CharField(), required=False, help_text=_EVENTS_HELP
    )


class WebhookAttemptSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    started_at = serializers.DateTimeField()
    status_code = serializers.IntegerField(allow_null=True)
    latency_ms = serializers.IntegerField()
    response_snippet = serializers.CharField()
    error = serializers.CharField()
    succeeded = serializers.BooleanField()
    next_attempt_at = serializers.DateTimeField(allow_null=True)


class WebhookDeliverySerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    webhook_id = serializers.CharField(source="message_id")
    event = serializers.CharField(source="event.public_id")
    event_type = serializers.CharField(source="event.type")
    state = serializers.CharField()
    attempts = serializers.IntegerField(source="attempt_count")
    last_status_code = serializers.IntegerField(allow_null=True)
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    attempt_log = WebhookAttemptSerializer(source="attempts", many=True)
