"""Admin for codes, groups, logos and destination history.

Codes and groups are changed through the same services as everywhere else (the actions
below); the change pages are read-only so the admin cannot become a second write path.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from codes import services
from codes.models import CampaignGroup, DestinationChange, LogoAsset, QRCode


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _run_on_each(modeladmin, request, queryset, service, done: str, **kwargs):
    count = 0
    for obj in queryset:
        try:
            service(actor=request.user, **{modeladmin.service_arg: obj}, **kwargs)
            count += 1
        except ValidationError as exc:
            modeladmin.message_user(request, f"{obj}: {'; '.join(exc.messages)}", messages.ERROR)
    modeladmin.message_user(request, f"{count} {done}.", messages.SUCCESS)


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
class QRCodeAdmin(ReadOnlyAdmin):
    service_arg = "code"
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

    def has_change_permission(self, request, obj=None):
        # Lets the actions run; the change form itself shows every field read-only.
        return request.user.has_perm("codes.change_qrcode")

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    @admin.action(description="Activate selected codes")
    def activate(self, request, queryset):
        _run_on_each(self, request, queryset, services.code_activate, "codes activated")

    @admin.action(description="Deactivate selected codes (scans get the 410 page)")
    def deactivate(self, request, queryset):
        _run_on_each(self, request, queryset, services.code_deactivate, "codes deactivated")

    @admin.action(description="Delete selected codes (soft: slugs are never reused)")
    def soft_delete(self, request, queryset):
        _run_on_each(self, request, queryset, services.code_delete, "codes deleted")


@admin.register(CampaignGroup)
class CampaignGroupAdmin(ReadOnlyAdmin):
    service_arg = "group"
    list_display = ["name", "slug", "workspace", "color", "archived_at", "created_at"]
    list_filter = [("archived_at", admin.EmptyFieldListFilter), "workspace"]
    search_fields = ["public_id", "name", "slug"]
    list_select_related = ["workspace"]
    actions = ["archive", "unarchive"]

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("codes.change_campaigngroup")

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    @admin.action(description="Archive selected groups")
    def archive(self, request, queryset):
        _run_on_each(self, request, queryset, services.group_archive, "groups archived")

    @admin.action(description="Unarchive selected groups")
    def unarchive(self, request, queryset):
        _run_on_each(self, request, queryset, services.group_unarchive, "groups unarchived")


@admin.register(LogoAsset)
class LogoAssetAdmin(ReadOnlyAdmin):
    list_display = ["public_id", "name", "workspace", "width", "height", "size_bytes", "created_at"]
    list_filter = ["workspace", "created_at"]
    search_fields = ["public_id", "name", "checksum"]
    list_select_related = ["workspace"]


@admin.register(DestinationChange)
class DestinationChangeAdmin(ReadOnlyAdmin):
    list_display = ["code", "old_destination", "new_destination", "changed_by", "changed_at"]
    list_filter = ["changed_at", "workspace"]
    search_fields = ["code__public_id", "code__slug", "old_destination", "new_destination"]
    list_select_related = ["code", "changed_by"]
    date_hierarchy = "changed_at"
