from celery import shared_task


@shared_task(name="api.idempotency_purge_task")
def idempotency_purge_task() -> int:
    """Delete Idempotency-Key records past their 24 h lifetime. Idempotent."""
    from qrsite.api.idempotency import purge_expired

    return purge_expired()
