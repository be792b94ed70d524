"""Reads of jobs and uploads, scoped to a workspace: a missing and a foreign id are both 404."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import Workspace
from jobs.models import ImportFile, Job, JobRow


def job_list_for_workspace(
    *, workspace: Workspace, kind: str | None = None, sandbox: bool = False
) -> QuerySet[Job]:
    jobs = Job.objects.in_mode(sandbox=sandbox).filter(workspace=workspace)
    jobs = jobs.select_related("created_by")
    if kind:
        jobs = jobs.filter(kind=kind)
    return jobs.order_by("-created_at", "-id")


def job_get_for_workspace(*, workspace: Workspace, public_id: str, sandbox: bool = False) -> Job:
    job = (
        Job.objects.in_mode(sandbox=sandbox)
        .filter(workspace=workspace, public_id=public_id)
        .select_related("workspace", "created_by")
        .first()
    )
    if job is None:
        raise Http404("No such job.")
    return job


def import_file_get_for_workspace(*, workspace: Workspace, public_id: str) -> ImportFile:
    upload = ImportFile.objects.filter(workspace=workspace, public_id=public_id).first()
    if upload is None:
        raise Http404("No such upload.")
    return upload


def job_failed_rows(*, job: Job, limit: int = 50) -> QuerySet[JobRow]:
    """The first failed rows of a job, for its page."""
    return JobRow.objects.filter(job=job, outcome=JobRow.Outcome.FAILED).order_by("row")[:limit]
