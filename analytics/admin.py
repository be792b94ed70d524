"""Scans are evidence, not data to edit: read-only, filterable. The daily salts are secrets
and are deliberately not shown here."""

from django.contrib import admin

from analytics.models import Scan


@admin.register(Scan)
class ScanAdmin(admin.ModelAdmin):
    list_display = [
        "scanned_at",
        "code",
        "workspace",
        "country",
        "city",
        "device_type",
        "os",
        "browser",
        "referrer_host",
        "language",
        "is_bot",
    ]
    list_filter = ["is_bot", "device_type", "scanned_at", "country", "os", "browser"]
    search_fields = ["code__public_id", "code__slug", "referrer_host"]
    list_select_related = ["code", "workspace"]
    date_hierarchy = "scanned_at"
    # Counting a large scans table on every page load would be slow.
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
