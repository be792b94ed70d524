"""Periodic redirect jobs (scheduled by CELERY_BEAT_SCHEDULE in settings)."""

from celery import shared_task


@shared_task(name="codes.redirect_invalidations_retry_task", ignore_result=True)
def redirect_invalidations_retry_task() -> int:
    """Invalidate the cached redirects of changes the cache missed. Idempotent."""
    from codes.cache import redirect_invalidations_retry

    return redirect_invalidations_retry()
