"""Endpoints, events and deliveries for operators: searchable and filterable, read-only; the
only writes are actions that call the services. Signing secrets are never shown."""

from django.contrib import admin

from qrsite.admin_tools import ServiceAdmin
from webhooks import services
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ServiceAdmin):
    list_display = ["public_id", "url", "workspace", "is_enabled", "failing_since", "created_at"]
    list_filter = ["is_enabled", "created_at", "disabled_at"]
    search_fields = ["public_id", "url", "description", "workspace__name"]
    list_select_related = ["workspace"]
    exclude = ["secret", "previous_secret", "lease_token"]
    actions = ["disable", "enable"]

    @admin.action(description="Disable the selected endpoints", permissions=["operate"])
    def disable(self, request, queryset):
        self.run_each(
            request,
            queryset,
            lambda e: services.endpoint_update(endpoint=e, actor=request.user, is_enabled=False),
            "endpoints disabled",
        )

    @admin.action(description="Enable the selected endpoints", permissions=["operate"])
    def enable(self, request, queryset):
        self.run_each(
            request,
            queryset,
            lambda e: services.endpoint_update(endpoint=e, actor=request.user, is_enabled=True),
            "endpoints enabled",
        )


@admin.register(WebhookEvent)
class WebhookEventAdmin(ServiceAdmin):
    list_display = ["public_id", "type", "workspace", "created_at"]
    list_filter = ["type", "created_at"]
    search_fields = ["public_id", "workspace__name"]
    list_select_related = ["workspace"]
    date_hierarchy = "created_at"
    show_full_result_count = False


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    fields = ["number", "started_at", "status_code", "latency_ms", "error", "response_snippet"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ServiceAdmin):
    list_display = [
        "public_id",
        "endpoint",
        "event",
        "state",
        "attempt_count",
        "last_status_code",
        "next_attempt_at",
    ]
    list_filter = ["state", "last_status_code", "created_at"]
    search_fields = ["public_id", "message_id", "endpoint__url", "event__public_id"]
    list_select_related = ["endpoint", "event"]
    inlines = [WebhookAttemptInline]
    show_full_result_count = False
