"""What `job_run_task` does: claim the job and hand it to its kind's runner."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from jobs.models import Kind, Status
from jobs.services.chunked import chunked_dispatch
from jobs.services.creating import creation_run
from jobs.services.exports import EXPORT
from jobs.services.imports import bulk_source, import_source
from jobs.services.label_jobs import LABELS
from jobs.services.lifecycle import job_claim, job_finish
from jobs.services.scan_exports import scan_export_run

logger = logging.getLogger(__name__)

# Kinds run by the apps beside jobs (tickets), which register here: jobs imports none of them.
RUNNERS: dict[str, Callable[..., None]] = {}
# Kinds planned once and then worked through in parallel chunks (`jobs.services.chunked`).
CHUNKED = {Kind.EXPORT: EXPORT, Kind.LABELS: LABELS}


def runner_register(kind: str, run: Callable[..., None]) -> None:
    """`run(job=..., token=...)` does a claimed job of `kind` and finishes it."""
    RUNNERS[kind] = run


def job_run(*, job_pk: int) -> None:
    claimed = job_claim(job_pk=job_pk)
    if claimed is None:
        return
    job, token = claimed
    try:
        if job.kind in CHUNKED:
            chunked_dispatch(CHUNKED[job.kind], job=job)
        elif job.kind == Kind.SCAN_EXPORT:
            scan_export_run(job=job, token=token)
        elif job.kind in RUNNERS:
            RUNNERS[job.kind](job=job, token=token)
        elif job.kind == Kind.IMPORT:
            creation_run(job=job, token=token, source=import_source(job))
        else:
            creation_run(job=job, token=token, source=bulk_source(job))
    except (ValidationError, PermissionDenied, Http404) as exc:
        # The creator lost the right to edit, or the input vanished: a failure to report,
        # not to retry.
        message = " ".join(getattr(exc, "messages", [str(exc)])) or type(exc).__name__
        job_finish(job=job, status=Status.FAILED, error=message, token=token)
    except Exception:
        logger.exception("job %s failed", job.public_id)
        job_finish(
            job=job,
            status=Status.FAILED,
            error="The job failed on our side (the error is logged); what it created "
            "before that stays.",
            token=token,
        )
        raise
