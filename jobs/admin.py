"""Jobs in Django admin: searchable and filterable, read-only; cancelling is an action that
calls the service (the admin is no second write path)."""

from django.contrib import admin

from jobs import services
from jobs.models import ImportFile, Job
from qrsite.admin_tools import ServiceAdmin


@admin.register(Job)
class JobAdmin(ServiceAdmin):
    list_display = [
        "public_id",
        "workspace",
        "kind",
        "status",
        "phase",
        "done",
        "total",
        "created_by",
        "created_at",
        "finished_at",
    ]
    list_filter = ["kind", "status", "created_at", "workspace"]
    search_fields = ["public_id", "created_by__email", "workspace__name", "error_summary"]
    list_select_related = ["workspace", "created_by"]
    date_hierarchy = "created_at"
    actions = ["cancel"]

    @admin.action(description="Cancel selected jobs", permissions=["operate"])
    def cancel(self, request, queryset):
        self.run_each(
            request,
            queryset,
            lambda job: services.job_cancel(job=job, actor=request.user),
            "jobs asked to stop",
        )


@admin.register(ImportFile)
class ImportFileAdmin(ServiceAdmin):
    list_display = ["public_id", "original_name", "workspace", "format", "row_count", "created_at"]
    list_filter = ["format", "created_at"]
    search_fields = ["public_id", "original_name", "workspace__name"]
