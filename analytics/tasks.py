"""Periodic scan jobs (scheduled by CELERY_BEAT_SCHEDULE in settings)."""

import logging

import redis
from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="analytics.scan_flush_buffer_task", ignore_result=True)
def scan_flush_buffer_task() -> int:
    """Drain the Redis scan buffer into the database. Idempotent; one flusher at a time."""
    from analytics.services import scan_flush_buffer

    try:
        return scan_flush_buffer()
    except redis.RedisError:
        # Nothing was lost: events stay in Redis until a later run inserts them.
        logger.warning("scan buffer unreachable; flush skipped")
        return 0


@shared_task(name="analytics.scan_salt_cleanup_task", ignore_result=True)
def scan_salt_cleanup_task() -> int:
    from analytics.services import scan_salt_cleanup

    return scan_salt_cleanup()


# --- Rollups (issue 6) ------------------------------------------------------------------------


@shared_task(name="analytics.rollup_run_task", ignore_result=True)
def rollup_run_task() -> int:
    """Roll up finished UTC days and redo days with late scans; returns the days done.
    Safe to run on several workers: one holds the lease, the others return at once."""
    from analytics.rollups import rollup_run

    return len(rollup_run().days)


@shared_task(name="analytics.report_subscriptions_send_task", ignore_result=True)
def report_subscriptions_send_task() -> int:
    """Email the weekly and monthly PDF reports due today. Idempotent (one per day each)."""
    from analytics.reports import report_subscriptions_send

    return report_subscriptions_send()
