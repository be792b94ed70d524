"""Admin for codes, groups, logos and destination history.

Codes and groups are changed through the same services as everywhere else (the actions
below); the change pages are view-only (a save there would write the whole row back around
the services), so the admin cannot become a second write path.
"""

from django.contrib import admin

from codes import services
from codes.cache import redirect_invalidations_retry
from codes.models import (
    CampaignGroup,
    DestinationChange,
    LogoAsset,
    PendingRedirectInvalidation,
    QRCode,
)
from qrsite.admin_tools import ServiceAdmin


class DestinationChangeInline(admin.TabularInline):
    model = DestinationChange
    fk_name = "code"
    extra = 0
    can_delete = False
    fields = ["changed_at", "old_destination", "new_destination", "changed_by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(QRCode)
class QRCodeAdmin(ServiceAdmin):
    list_display = [
        "public_id",
        "name",
        "workspace",
        "kind",
        "content_type",
        "slug",
        "is_active",
        "scan_count",
        "group",
        "created_at",
        "deleted_at",
    ]
    list_filter = [
        "kind",
        "is_active",
        "content_type",
        ("deleted_at", admin.EmptyFieldListFilter),
        ("expires_at", admin.EmptyFieldListFilter),
        "created_at",
        "workspace",
    ]
    search_fields = ["public_id", "name", "slug", "destination", "external_id"]
    list_select_related = ["workspace", "group"]
    date_hierarchy = "created_at"
    inlines = [DestinationChangeInline]
    actions = ["activate", "deactivate", "soft_delete"]

    def _each(self, request, queryset, service, done: str) -> None:
        self.run_each(request, queryset, lambda code: service(code=code, actor=request.user), done)

    @admin.action(description="Activate selected codes", permissions=["operate"])
    def activate(self, request, queryset):
        self._each(request, queryset, services.code_activate, "codes activated")

    @admin.action(
        description="Deactivate selected codes (scans get the 410 page)", permissions=["operate"]
    )
    def deactivate(self, request, queryset):
        self._each(request, queryset, services.code_deactivate, "codes deactivated")

    @admin.action(
        description="Delete selected codes (soft: slugs are never reused)", permissions=["operate"]
    )
    def soft_delete(self, request, queryset):
        self._each(request, queryset, services.code_delete, "codes deleted")


@admin.register(CampaignGroup)
class CampaignGroupAdmin(ServiceAdmin):
    list_display = ["name", "slug", "workspace", "color", "archived_at", "created_at"]
    list_filter = [("archived_at", admin.EmptyFieldListFilter), "workspace"]
    search_fields = ["public_id", "name", "slug"]
    list_select_related = ["workspace"]
    actions = ["archive", "unarchive"]

    def _each(self, request, queryset, service, done: str) -> None:
        self.run_each(
            request, queryset, lambda group: service(group=group, actor=request.user), done
        )

    @admin.action(description="Archive selected groups", permissions=["operate"])
    def archive(self, request, queryset):
        self._each(request, queryset, services.group_archive, "groups archived")

    @admin.action(description="Unarchive selected groups", permissions=["operate"])
    def unarchive(self, request, queryset):
        self._each(request, queryset, services.group_unarchive, "groups unarchived")


@admin.register(LogoAsset)
class LogoAssetAdmin(ServiceAdmin):
    list_display = ["public_id", "name", "workspace", "width", "height", "size_bytes", "created_at"]
    list_filter = ["workspace", "created_at"]
    search_fields = ["public_id", "name", "checksum"]
    list_select_related = ["workspace"]


@admin.register(DestinationChange)
class DestinationChangeAdmin(ServiceAdmin):
    list_display = ["code", "old_destination", "new_destination", "changed_by", "changed_at"]
    list_filter = ["changed_at", "workspace"]
    search_fields = ["code__public_id", "code__slug", "old_destination", "new_destination"]
    list_select_related = ["code", "changed_by"]
    date_hierarchy = "changed_at"


@admin.register(PendingRedirectInvalidation)
class PendingRedirectInvalidationAdmin(ServiceAdmin):
    """Changes the redirect cache missed; a growing list means the cache is still down (beat
    replays them every few seconds), an old row that a scan may still be served stale."""

    list_display = ["slug", "failed_at"]
    search_fields = ["slug"]
    ordering = ["failed_at"]
    actions = ["retry_all"]

    @admin.action(description="Retry all waiting invalidations now", permissions=["operate"])
    def retry_all(self, request, queryset):
        done = redirect_invalidations_retry()
        if done:
            self.message_user(request, f"{done} invalidation(s) reached the redirect cache.")
        else:
            self.message_user(
                request, "The redirect cache is still unavailable; nothing changed.", "warning"
            )
