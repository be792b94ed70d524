"""/api/v1/webhooks: endpoints (admin scope), secret rotation, test events, the delivery log
and redelivery. Another workspace's endpoint or delivery is a 404."""

import json

from django.core.exceptions import ValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from codes import selectors as code_selectors
from qrsite.api.views import ApiViewSet
from webhooks import selectors, services
from webhooks.api.serializers import (
    WebhookDeliverySerializer,
    WebhookEndpointCreatedSerializer,
    WebhookEndpointCreateSerializer,
    WebhookEndpointSerializer,
    WebhookEndpointUpdateSerializer,
)
from webhooks.events import EVENT_TYPES, example_payload
from webhooks.models import WebhookEndpoint

ENDPOINT_EXAMPLE = {
    "id": "whk_9Qw2Er4Ty6Ui8Op0",
    "url": "https://hooks.example.com/qr",
    "description": "CRM sync",
    "events": ["code.scan_threshold_reached", "code.destination_updated"],
    "group": "spring-launch",
    "scan_thresholds": [100, 1000],
    "code_scan_thresholds": {"code_7Hk2Lm9Qx4Zp1Rt6": [50]},
    "scan_batch_size": 1,
    "is_enabled": True,
    "status": "active",
    "disabled_reason": "",
    "failing_since": None,
    "secret_rotation_ends_at": None,
    "created_at": "2026-03-08T14:30:00Z",
    "updated_at": "2026-03-08T14:30:00Z",
}
SECRET_EXAMPLE = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"  # noqa: S105 - a documentation example
EVENTS_DOC = "Event payloads (the body of each delivery):\n\n" + "\n".join(
    f"- `{name}`: {text}" for name, text in EVENT_TYPES.items()
)
EVENT_EXAMPLES = [
    OpenApiExample(name, value=example_payload(name), response_only=True, status_codes=["200"])
    for name in EVENT_TYPES
]


def _group(workspace, value, *, sandbox: bool):
    if value in (None, ""):
        return None
    groups = code_selectors.group_list_for_workspace(
        workspace=workspace, include_archived=True, sandbox=sandbox
    )
    field = "public_id" if value.startswith("grp_") else "slug"
    group = groups.filter(**{field: value}).first()
    if group is None:
        raise ValidationError({"group": f"No group “{value}” in this workspace."})
    return group


class WebhookViewSet(ApiViewSet):
    queryset = WebhookEndpoint.objects.none()  # for the schema generator
    lookup_url_kwarg = "id"
    lookup_value_regex = r"[^/]+"
    required_scopes = {"*": "admin"}
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_serializer_class(self):
        return WebhookEndpointSerializer

    def idempotency_body(self, response):
        # A replay never hands the secret out again: it is not stored with the response.
        if isinstance(response.data, dict) and "secret" in response.data:
            return json.dumps({**response.data, "secret": None}).encode()
        return None

    def _endpoint(self):
        return selectors.endpoint_get_for_workspace(
            workspace=self.workspace, public_id=self.kwargs["id"], sandbox=self.sandbox
        )

    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "group" in data:
            data["group"] = _group(self.workspace, data["group"], sandbox=self.sandbox)
        return data

    @extend_schema(
        summary="List webhook endpoints",
        tags=["webhooks"],
        description=EVENTS_DOC,
        responses={200: WebhookEndpointSerializer(many=True)},
    )
    def list(self, request):
        page = self.paginate_queryset(
            selectors.endpoint_list_for_workspace(workspace=self.workspace, sandbox=self.sandbox)
        )
        return self.get_paginated_response(WebhookEndpointSerializer(page, many=True).data)

    @extend_schema(
        summary="Register a webhook endpoint",
        description="The signing `secret` is in this response only. " + EVENTS_DOC,
        tags=["webhooks"],
        request=WebhookEndpointCreateSerializer,
        responses={201: WebhookEndpointCreatedSerializer},
        examples=[
            OpenApiExample(
                "New endpoint",
                request_only=True,
                value={
                    "url": "https://hooks.example.com/qr",
                    "events": ["code.scan_threshold_reached", "code.destination_updated"],
                    "description": "CRM sync",
                    "group": "spring-launch",
                    "scan_thresholds": [100, 1000],
                },
            ),
            OpenApiExample(
                "Created",
                response_only=True,
                status_codes=["201"],
                value={**ENDPOINT_EXAMPLE, "secret": SECRET_EXAMPLE},
            ),
        ],
    )
    def create(self, request):
        data = self._input(WebhookEndpointCreateSerializer)
        endpoint, secret = services.endpoint_create(
            workspace=self.workspace,
            actor=self.principal.membership,
            sandbox=self.sandbox,
            **data,
        )
        body = {**WebhookEndpointSerializer(endpoint).data, "secret": secret}
        response = Response(body, status=status.HTTP_201_CREATED)
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(
        summary="Get a webhook endpoint",
        tags=["webhooks"],
        responses={200: WebhookEndpointSerializer},
    )
    def retrieve(self, request, id=None):
        return Response(WebhookEndpointSerializer(self._endpoint()).data)

    @extend_schema(
        summary="Change a webhook endpoint",
        description="`is_enabled: true` re-enables a disabled endpoint; its pending deliveries "
        "are then sent.",
        tags=["webhooks"],
        request=WebhookEndpointUpdateSerializer,
        responses={200: WebhookEndpointSerializer},
    )
    def partial_update(self, request, id=None):
        endpoint = self._endpoint()
        data = self._input(WebhookEndpointUpdateSerializer)
        endpoint = services.endpoint_update(
            endpoint=endpoint, actor=self.principal.membership, **data
        )
        return Response(WebhookEndpointSerializer(endpoint).data)

    @extend_schema(summary="Delete a webhook endpoint", tags=["webhooks"], responses={204: None})
    def destroy(self, request, id=None):
        services.endpoint_delete(endpoint=self._endpoint(), actor=self.principal.membership)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Rotate the signing secret",
        description="Returns the new secret (only now). For WEBHOOKS_SECRET_OVERLAP_HOURS "
        "(24 h by default) deliveries carry two signatures, one per secret.",
        tags=["webhooks"],
        request=None,
        responses={200: WebhookEndpointCreatedSerializer},
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret", url_name="rotate-secret")
    def rotate_secret(self, request, id=None):
        endpoint, secret = services.endpoint_rotate_secret(
            endpoint=self._endpoint(), actor=self.principal.membership
        )
        response = Response({**WebhookEndpointSerializer(endpoint).data, "secret": secret})
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(
        summary="Send a test event",
        description="Queues a `webhook.test` event to this endpoint; see it in the deliveries.",
        tags=["webhooks"],
        request=None,
        responses={202: WebhookDeliverySerializer},
    )
    @action(detail=True, methods=["post"], url_path="test", url_name="test")
    def send_test(self, request, id=None):
        delivery = services.endpoint_send_test(
            endpoint=self._endpoint(), actor=self.principal.membership
        )
        delivery = selectors.delivery_get_for_endpoint(
            endpoint=delivery.endpoint, public_id=delivery.public_id
        )
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="List an endpoint's deliveries",
        description="Newest first; each with its attempts (time, status code, latency, the "
        "first bytes of the answer, next retry). " + EVENTS_DOC,
        tags=["webhooks"],
        responses={200: WebhookDeliverySerializer(many=True)},
        examples=EVENT_EXAMPLES,
    )
    @action(detail=True, methods=["get"], url_path="deliveries", url_name="deliveries")
    def deliveries(self, request, id=None):
        page = self.paginate_queryset(
            selectors.delivery_list_for_endpoint(endpoint=self._endpoint())
        )
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)

    @extend_schema(
        summary="Redeliver",
        description="Sends the delivery's message again, with the same `webhook-id`.",
        tags=["webhooks"],
        request=None,
        responses={202: WebhookDeliverySerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"deliveries/(?P<delivery_id>[^/]+)/redeliver",
        url_name="redeliver",
    )
    def redeliver(self, request, id=None, delivery_id=None):
        endpoint = self._endpoint()
        try:
            delivery = selectors.delivery_get_for_endpoint(endpoint=endpoint, public_id=delivery_id)
        except Http404:
            raise Http404("No such delivery.") from None
        again = services.delivery_redeliver(delivery=delivery, actor=self.principal.membership)
        again = selectors.delivery_get_for_endpoint(endpoint=endpoint, public_id=again.public_id)
        return Response(WebhookDeliverySerializer(again).data, status=status.HTTP_202_ACCEPTED)
