"""Background jobs: one row per import, bulk create or export, and the per-row ledger that
makes a job's chunks idempotent (a row done once is never done twice)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from qrsite.fields import JSONField
from qrsite.ids import new_public_id
from qrsite.sandbox import SandboxQuerySet, sandbox_field


def _job_id() -> str:
    return new_public_id("job")


def _upload_id() -> str:
    return new_public_id("upl")


def _job_path(instance: Job, filename: str) -> str:
    return f"jobs/{instance.public_id}/{filename}"


def _upload_path(instance: ImportFile, filename: str) -> str:
    return f"imports/{instance.public_id}/{filename}"


class Kind(models.TextChoices):
    IMPORT = "import", "Import"
    BULK_CREATE = "bulk_create", "Bulk create"
    EXPORT = "export", "Export"
    LABELS = "labels", "Label sheets"
    # Run by the tickets app, which registers its runners (jobs.services.runner.runner_register).
    TICKET_IMPORT = "ticket_import", "Ticket import"
    TICKET_EXPORT = "ticket_export", "Ticket export"
    SCAN_EXPORT = "scan_export", "Scan export"


class Status(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


FINISHED = frozenset({Status.SUCCEEDED, Status.FAILED, Status.CANCELLED})


class Phase(models.TextChoices):
    WAITING = "", "Waiting"
    CHECKING = "checking", "Checking rows"
    CREATING = "creating", "Creating codes"
    RENDERING = "rendering", "Rendering images"
    PACKING = "packing", "Packing the ZIP"
    DONE = "done", "Done"


class Job(models.Model):
    public_id = models.CharField(max_length=32, unique=True, default=_job_id, editable=False)
    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="jobs"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    phase = models.CharField(max_length=20, choices=Phase.choices, default="", blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    phase_started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    cancel_requested_at = models.DateTimeField(null=True, blank=True)
    # Whoever holds the lease works on the job; a worker killed mid-job stops renewing it, and
    # once it has run out another worker takes the job over (`job_resume_stale`).
    lease_token = models.CharField(max_length=32, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    params = models.JSONField(default=dict, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    error_summary = models.TextField(blank=True)
    input_file = models.FileField(upload_to=_job_path, blank=True, max_length=300)
    result_file = models.FileField(upload_to=_job_path, blank=True, max_length=300)
    errors_file = models.FileField(upload_to=_job_path, blank=True, max_length=300)
    result_expires_at = models.DateTimeField(null=True, blank=True)
    # A job started with a test key works on sandbox objects only (codes, events).
    is_test = sandbox_field()

    objects = SandboxQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "-created_at"], name="jobs_ws_created"),
            models.Index(fields=["status", "lease_until"], name="jobs_status_lease"),
        ]

    def __str__(self) -> str:
        return self.public_id

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED

    @property
    def percent(self) -> int:
        if self.status == Status.SUCCEEDED:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0


class JobRow(models.Model):
    """One input row (import, bulk create) or one code (export) of a job, by its position.
    The (job, row) key is the idempotency key: a chunk redone after a crash skips its rows."""

    class Outcome(models.TextChoices):
        CREATED = "created", "Created"
        FAILED = "failed", "Failed"
        PLANNED = "planned", "Planned"
        EXPORTED = "exported", "Exported"

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="rows")
    row = models.PositiveIntegerField()
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    code = models.ForeignKey(
        "codes.QRCode", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    external_id = models.CharField(max_length=255, blank=True)
    # Failed rows: [{"field", "column", "message"}]; exports: file names, sha256, decoded.
    detail = JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["job", "row"]
        constraints = [models.UniqueConstraint("job", "row", name="jobs_row_unique")]

    def __str__(self) -> str:
        return f"{self.job_id}#{self.row}"


class ImportFile(models.Model):
    """An uploaded spreadsheet, read once on upload (header, row count, bad-input checks)."""

    public_id = models.CharField(max_length=32, unique=True, default=_upload_id, editable=False)
    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="import_files"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    file = models.FileField(upload_to=_upload_path, max_length=300)
    original_name = models.CharField(max_length=255)
    format = models.CharField(max_length=10)
    delimiter = models.CharField(max_length=1, blank=True)
    header = models.JSONField(default=list)
    row_count = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name
