"""Every write to jobs: start, progress, finish, cancel, resume; imports, bulk creates and
exports. The dashboard, the API, admin actions and the tasks all call these."""

from jobs.services.exports import export_start
from jobs.services.imports import bulk_create_start, import_file_create, import_start
from jobs.services.labels import label_options, labels_count, labels_pdf, labels_proof, labels_start
from jobs.services.lifecycle import job_cancel, job_resume_stale, jobs_purge_expired
from jobs.services.scan_exports import scan_export_start

__all__ = [
    "bulk_create_start",
    "export_start",
    "import_file_create",
    "import_start",
    "job_cancel",
    "job_resume_stale",
    "jobs_purge_expired",
    "label_options",
    "labels_count",
    "labels_pdf",
    "labels_proof",
    "labels_start",
    "scan_export_start",
]
