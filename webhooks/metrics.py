"""Webhook deliveries as /metrics shows them: by state, and the age of the oldest one still
pending (receivers down or a sender stuck)."""

from django.db.models import Count, Min
from django.utils import timezone

from qrsite.metrics import gauge
from webhooks.models import DeliveryState, WebhookDelivery


def delivery_states():
    by_state = gauge("qrstudio_webhook_deliveries", "Webhook deliveries by state.", ["state"])
    counts = dict(WebhookDelivery.objects.values_list("state").annotate(n=Count("id")).order_by())
    for state in DeliveryState.values:
        by_state.add_metric([state], counts.get(state, 0))
    yield by_state
    oldest = WebhookDelivery.objects.filter(state=DeliveryState.PENDING).aggregate(
        at=Min("created_at")
    )["at"]
    age = gauge(
        "qrstudio_webhook_oldest_pending_seconds", "Age of the oldest pending webhook delivery."
    )
    age.add_metric([], (timezone.now() - oldest).total_seconds() if oldest else 0)
    yield age
