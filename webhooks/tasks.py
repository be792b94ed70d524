"""Delivery tasks. They take ids, are idempotent, and are enqueued once the outbox commits."""

import logging

from celery import shared_task
from django.db import transaction

logger = logging.getLogger(__name__)


@shared_task(name="webhooks.endpoint_drain_task", ignore_result=True)
def endpoint_drain_task(endpoint_id: int) -> int:
    """Send one endpoint's due deliveries (a no-op when another sender holds it)."""
    from webhooks.delivery import endpoint_drain

    return endpoint_drain(endpoint_id=endpoint_id)


@shared_task(name="webhooks.deliveries_sweep_task", ignore_result=True)
def deliveries_sweep_task() -> int:
    """Periodic: hand every endpoint with a due delivery (a retry whose time came, a sender
    that died) to a sender."""
    from webhooks.delivery import endpoints_due

    due = endpoints_due()
    for endpoint_id in due:
        endpoint_drain_task.delay(endpoint_id)
    return len(due)


def endpoint_drain_enqueue(endpoint_id: int) -> None:
    """Start a sender for the endpoint once the current transaction commits."""

    def enqueue():
        try:
            endpoint_drain_task.delay(endpoint_id)
        except Exception:
            # A broker outage loses no delivery: the rows are committed and the sweep finds them.
            logger.warning("webhook sender not enqueued for endpoint %s", endpoint_id)

    transaction.on_commit(enqueue)
