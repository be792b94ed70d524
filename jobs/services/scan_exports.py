"""A per-scan CSV too large to stream while the browser waits: written by a worker to the job's
result file (analytics/scan_export.py makes the rows; the same rows either way)."""

from __future__ import annotations

from accounts.models import User, Workspace
from analytics.queries import Scope
from analytics.ranges import parse_period
from analytics.scan_export import COLUMNS, scan_export_count, scan_export_rows
from jobs.models import Job, Kind, Status
from jobs.services.lifecycle import job_create, job_finish, job_progress, save_csv

PROGRESS_EVERY = 5000


class _Cancelled(Exception):
    pass


def scan_export_start(
    *, workspace: Workspace, actor: User, scope: Scope, period_query: dict, label: str
) -> Job:
    """Queue the export of every scan of `scope` in the period the query names (the report
    page's own parameters, so the file matches what the page showed)."""
    period = parse_period(period_query, default_interval=None)
    return job_create(
        workspace=workspace,
        actor=actor,
        kind=Kind.SCAN_EXPORT,
        total=scan_export_count(scope=scope, period=period),
        params={
            "scope": [scope.kind, scope.pk],
            "period": period_query,
            "label": label,
            "file_name": f"scans of {label}",
        },
    )


def scan_export_run(*, job: Job, token: str) -> None:
    kind, pk = job.params["scope"]
    scope = Scope(kind, pk, job.workspace_id)
    period = parse_period(job.params["period"], default_interval=None)
    done = 0

    def rows():
        nonlocal done
        for row in scan_export_rows(scope=scope, period=period):
            yield row
            done += 1
            if done % PROGRESS_EVERY == 0 and not job_progress(job=job, token=token, done=done):
                raise _Cancelled

    try:
        # Written whole each run: a worker that died half-way leaves no file, the next one
        # writes it again from the start.
        save_csv(job, "result_file", f"scans-{job.public_id}.csv", COLUMNS, rows())
    except _Cancelled:
        job_finish(job=job, status=Status.CANCELLED, token=token)
        return
    job_progress(job=job, token=token, done=done)
    job_finish(job=job, status=Status.SUCCEEDED, summary={"rows": done}, token=token)
