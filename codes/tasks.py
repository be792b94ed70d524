"""Periodic redirect jobs (scheduled by CELERY_BEAT_SCHEDULE in settings)."""

from celery import shared_task


@shared_task(name="codes.redirect_invalidations_retry_task", ignore_result=True)
def redirect_invalidations_retry_task() -> int:
    """Invalidate the cached redirects of changes the cache missed. Idempotent."""
    from codes.cache import redirect_invalidations_retry

    return redirect_invalidations_retry()


@shared_task(name="codes.codes_purge_deleted_task", ignore_result=True)
def codes_purge_deleted_task() -> int:
    """Purge the codes that have been in the trash longer than CODES_TRASH_DAYS. Idempotent."""
    from codes.services import codes_purge_deleted

    return codes_purge_deleted()
