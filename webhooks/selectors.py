"""Reads and the ownership gate: another workspace's endpoint or delivery is a 404."""

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import Workspace
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


def endpoint_list_for_workspace(
    *, workspace: Workspace, sandbox: bool = False
) -> QuerySet[WebhookEndpoint]:
    endpoints = WebhookEndpoint.objects.in_mode(sandbox=sandbox)
    return endpoints.filter(workspace=workspace).select_related("group")


def endpoint_get_for_workspace(
    *, workspace: Workspace, public_id: str, sandbox: bool = False
) -> WebhookEndpoint:
    endpoint = (
        WebhookEndpoint.objects.in_mode(sandbox=sandbox)
        .filter(workspace=workspace, public_id=public_id)
        .select_related("group", "workspace")
        .first()
    )
    if endpoint is None:
        raise Http404("No such webhook endpoint.")
    return endpoint


def delivery_list_for_endpoint(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    """Newest first, each with its event and its attempts."""
    return (
        WebhookDelivery.objects.filter(endpoint=endpoint)
        .select_related("event")
        .prefetch_related("attempts")
        .order_by("-id")
    )


def delivery_get_for_endpoint(*, endpoint: WebhookEndpoint, public_id: str) -> WebhookDelivery:
    delivery = (
        WebhookDelivery.objects.filter(endpoint=endpoint, public_id=public_id)
        .select_related("endpoint__workspace", "event")
        .first()
    )
    if delivery is None:
        raise Http404("No such delivery.")
    return delivery


def attempt_latest(*, delivery: WebhookDelivery) -> WebhookAttempt | None:
    return delivery.attempts.order_by("-number").first()
