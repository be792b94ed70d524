"""A job's life: created (queued, its task enqueued on commit), claimed by one worker at a time
through a renewable lease, advanced chunk by chunk, finished once, cancelled on request."""

from __future__ import annotations

import csv
import io
import logging
import secrets
import tempfile
from collections.abc import Callable, Iterable
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from accounts.models import ROLES_THAT_EDIT, Membership, User, Workspace
from jobs.models import FINISHED, Job, Phase, Status
from jobs.signals import job_finished
from qrsite.storage import StorageFull

logger = logging.getLogger(__name__)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def check_can_edit(actor: User, workspace: Workspace) -> None:
    """Strangers get 404, viewers 403 (as for codes)."""
    if actor.is_superuser or actor.is_staff:
        return
    role = (
        Membership.objects.filter(user=actor, workspace=workspace)
        .values_list("role", flat=True)
        .first()
    )
    if role is None:
        raise Http404("No such job.")
    if role not in ROLES_THAT_EDIT:
        raise PermissionDenied("Viewers cannot start or cancel jobs in this workspace.")


def job_create(
    *,
    workspace: Workspace,
    actor: User,
    kind: str,
    total: int,
    params: dict,
    input_file=None,
    sandbox: bool = False,
) -> Job:
    """A queued job whose task is enqueued once the caller's transaction commits; a sandbox
    job (`sandbox`) works on the sandbox's objects only (its codes, its events)."""
    check_can_edit(actor, workspace)
    job = Job(
        workspace=workspace,
        created_by=actor,
        kind=kind,
        total=total,
        params=params,
        is_test=bool(sandbox),
    )
    if input_file is not None:
        job.input_file.save(input_file.name, input_file, save=False)
    job.save()
    _enqueue_after_commit(job.pk)
    return job


def _enqueue_after_commit(job_pk: int) -> None:
    from jobs.tasks import job_run_task

    transaction.on_commit(lambda: job_run_task.delay(job_pk))


# --- the lease ----------------------------------------------------------------------------------


def _lease_end():
    return timezone.now() + timedelta(seconds=settings.JOBS_LEASE_SECONDS)


def job_claim(*, job_pk: int) -> tuple[Job, str] | None:
    """The job and a lease token when no live worker holds it; None when it is finished or
    another worker's lease is still running (a duplicate delivery of the task)."""
    token = secrets.token_hex(8)
    now = timezone.now()
    claimed = (
        Job.objects.filter(pk=job_pk, status__in=[Status.QUEUED, Status.RUNNING])
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_token=token, lease_until=_lease_end())
    )
    if not claimed:
        return None
    job = Job.objects.select_related("workspace", "created_by").get(pk=job_pk)
    if job.cancel_requested_at is not None:
        job_finish(job=job, status=Status.CANCELLED, error="Cancelled before it started.")
        return None
    if job.status == Status.QUEUED:
        Job.objects.filter(pk=job.pk).update(status=Status.RUNNING, started_at=now)
        job.status, job.started_at = Status.RUNNING, now
    return job, token


def job_progress(*, job: Job, token: str, done: int, phase: str | None = None) -> bool:
    """Record progress and renew the lease after a chunk; False when the job should stop
    (cancel requested, or another worker took it over)."""
    changes = {"done": done, "lease_until": _lease_end()}
    if phase is not None and phase != job.phase:
        changes.update(phase=phase, phase_started_at=timezone.now())
        job.phase, job.phase_started_at = phase, changes["phase_started_at"]
    job.done = done
    kept = Job.objects.filter(pk=job.pk, lease_token=token, status=Status.RUNNING).update(**changes)
    if not kept:
        return False
    return not Job.objects.filter(pk=job.pk, cancel_requested_at__isnull=False).exists()


def job_release(*, job: Job, token: str) -> None:
    Job.objects.filter(pk=job.pk, lease_token=token).update(lease_until=None)


def job_finish(
    *, job: Job, status: str, summary: dict | None = None, error: str = "", token: str = ""
) -> bool:
    """Move the job to its final status once (a second call is a no-op) and tell subscribers
    after the commit."""
    now = timezone.now()
    with transaction.atomic():
        query = Job.objects.filter(pk=job.pk).exclude(status__in=FINISHED)
        if token:
            query = query.filter(lease_token=token)
        changes = {
            "status": status,
            "finished_at": now,
            "lease_until": None,
            "error_summary": error[:2000],
            "phase": Phase.DONE if status == Status.SUCCEEDED else job.phase,
        }
        if summary is not None:
            changes["summary"] = summary
        if job.result_file or job.errors_file:
            changes["result_expires_at"] = now + timedelta(hours=settings.JOBS_RESULT_TTL_HOURS)
        if not query.update(**changes):
            return False
        for name, value in changes.items():
            setattr(job, name, value)
        transaction.on_commit(lambda: job_finished.send(sender=Job, job=job))
    return True


def job_parts_delete(*, job: Job) -> None:
    """Remove the part files a job's chunks stored (they only ever feed its result file)."""
    folder = f"jobs/{job.public_id}/parts"
    try:
        _, names = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in names:
        default_storage.delete(f"{folder}/{name}")


def fails_when_storage_full(step: Callable[..., None]) -> Callable[..., None]:
    """For a job's chunk and pack steps (`step(job_pk=..., ...)`): a full file storage ends the
    job as failed, saying so, with its parts removed, instead of a task that fails on every
    retry while the job waits for a lease that never comes back."""

    @wraps(step)
    def run(*, job_pk: int, **kwargs) -> None:
        try:
            step(job_pk=job_pk, **kwargs)
        except StorageFull as full:
            job = Job.objects.get(pk=job_pk)
            job_finish(job=job, status=Status.FAILED, error=full.messages[0])
            job_parts_delete(job=job)
            logger.error("job %s failed: the file storage is full", job.public_id)

    return run


def job_cancel(*, job: Job, actor: User) -> Job:
    """Ask the job to stop; it stops between chunks (what it created so far stays, listed in
    its results). A queued job is cancelled at once. A finished job cannot be cancelled."""
    check_can_edit(actor, job.workspace)
    job.refresh_from_db()
    if job.is_finished:
        raise ValidationError(
            {"status": f"This job has already {job.get_status_display().lower()}; "
             "there is nothing left to cancel."}
        )  # fmt: skip
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(cancel_requested_at=now)
    job.cancel_requested_at = now
    if job.status == Status.QUEUED:
        job_finish(job=job, status=Status.CANCELLED, error="Cancelled before it started.")
    return job


def job_resume_stale() -> int:
    """Re-enqueue every unfinished job whose lease ran out (its worker died); their chunks
    are idempotent, so redoing the interrupted one duplicates nothing. Idempotent."""
    now = timezone.now()
    grace = now - timedelta(seconds=settings.JOBS_LEASE_SECONDS)
    stale = Job.objects.filter(
        Q(status=Status.RUNNING, lease_until__lt=now)
        | Q(status=Status.RUNNING, lease_until__isnull=True, started_at__lt=grace)
        | Q(status=Status.QUEUED, created_at__lt=grace, lease_until__isnull=True)
    ).values_list("pk", flat=True)
    from jobs.tasks import job_run_task

    count = 0
    for pk in stale:
        job_run_task.delay(pk)
        count += 1
    if count:
        logger.info("resumed %d job(s) whose worker stopped", count)
    return count


def jobs_purge_expired() -> int:
    """Delete result files past their expiry (the job row stays, saying they expired)."""
    count = 0
    for job in Job.objects.filter(result_expires_at__lt=timezone.now()).exclude(
        result_file="", errors_file=""
    ):
        for field in (job.result_file, job.errors_file):
            if field:
                field.delete(save=False)
        job.save(update_fields=["result_file", "errors_file"])
        count += 1
    return count


# --- result files -------------------------------------------------------------------------------


class Verbatim(str):
    """A cell written exactly as it is. Only for values the server made that a program reads
    back (a ticket's Base45 payload, which starts with + or - for one ticket in ~22): an
    apostrophe in front would make them a different value, and no user's text is in them."""


def safe_cell(value) -> str:
    """A value a spreadsheet shows as text, never evaluates (OWASP's CSV injection advice)."""
    if isinstance(value, Verbatim):
        return str(value)
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def save_csv(job: Job, field: str, name: str, header: list[str], rows: Iterable[list]) -> None:
    """Write a CSV to the job's storage through a spooled temporary file (bounded memory)."""
    with tempfile.SpooledTemporaryFile(max_size=1024 * 1024, mode="w+b") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        writer = csv.writer(text)
        writer.writerow(header)
        for row in rows:
            writer.writerow([safe_cell(v) for v in row])
        text.flush()
        text.detach()
        raw.seek(0)
        getattr(job, field).save(name, File(raw), save=False)
    Job.objects.filter(pk=job.pk).update(**{field: getattr(job, field).name})
