"""Celery tasks: take ids, call one service, safe to run twice."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="jobs.job_run_task", ignore_result=True)
def job_run_task(job_pk: int) -> None:
    """Run (or resume) a job; a duplicate delivery finds the lease taken and returns."""
    from jobs.services.runner import job_run

    job_run(job_pk=job_pk)


@shared_task(name="jobs.export_chunk_task", ignore_result=True)
def export_chunk_task(job_pk: int, index: int) -> None:
    from jobs.services.exports import export_render_chunk

    export_render_chunk(job_pk=job_pk, index=index)


@shared_task(name="jobs.export_pack_task", ignore_result=True)
def export_pack_task(job_pk: int) -> None:
    from jobs.services.exports import export_pack

    export_pack(job_pk=job_pk)


@shared_task(name="jobs.labels_chunk_task", ignore_result=True)
def labels_chunk_task(job_pk: int, index: int) -> None:
    from jobs.services.label_jobs import labels_draw_chunk

    labels_draw_chunk(job_pk=job_pk, index=index)


@shared_task(name="jobs.labels_pack_task", ignore_result=True)
def labels_pack_task(job_pk: int) -> None:
    from jobs.services.label_jobs import labels_write

    labels_write(job_pk=job_pk)


@shared_task(name="jobs.job_resume_stale_task", ignore_result=True)
def job_resume_stale_task() -> int:
    from jobs.services import job_resume_stale

    return job_resume_stale()


@shared_task(name="jobs.jobs_purge_expired_task", ignore_result=True)
def jobs_purge_expired_task() -> int:
    from jobs.services import jobs_purge_expired

    return jobs_purge_expired()


def resume_on_worker_start(sender=None, **kwargs) -> None:
    """worker_ready: pick up what a killed worker left (after its lease runs out)."""
    from django.conf import settings

    try:
        job_resume_stale_task.delay()
        # A job whose lease has not run out yet is looked at again once it has.
        job_resume_stale_task.apply_async(countdown=settings.JOBS_LEASE_SECONDS + 1)
    except Exception:  # the worker must start even when this fails
        logger.exception("could not look for jobs to resume")
