"""GET/POST /keys and DELETE /keys/{id}: API keys managed through the API (admin scope)."""

import json

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts import selectors, services
from accounts.models import ApiKey, ApiScope
from qrsite.api.serializers import StrictSerializer
from qrsite.api.views import ApiView, ApiViewSet

KEY_EXAMPLE = {
    "id": "key_4Fh8Jk2Lq9Zx7Cv1",
    "name": "Warehouse label printer",
    "prefix": "qr_Ab12Cd34",
    "scope": "write",
    "created_at": "2026-03-08T14:30:00Z",
    "expires_at": None,
    "last_used_at": None,
    "revoked": False,
    "created_by": "alice@example.com",
    "test_mode": False,
}


class ApiKeySerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    name = serializers.CharField()
    prefix = serializers.CharField()
    scope = serializers.CharField()
    created_at = serializers.DateTimeField(source="created")
    expires_at = serializers.DateTimeField(source="expiry_date", allow_null=True)
    last_used_at = serializers.DateTimeField(allow_null=True)
    revoked = serializers.BooleanField()
    created_by = serializers.SerializerMethodField()
    test_mode = serializers.BooleanField(
        source="is_test", help_text="A test key (qr_test_...): it works in the sandbox only."
    )

    @extend_schema_field(serializers.EmailField(allow_null=True))
    def get_created_by(self, api_key) -> str | None:
        return api_key.created_by.email if api_key.created_by_id else None


class ApiKeyCreatedSerializer(ApiKeySerializer):
    key = serializers.CharField(
        allow_null=True, help_text="The secret: shown in this response only, never again."
    )


class ApiKeyCreateSerializer(StrictSerializer):
    name = serializers.CharField(allow_blank=True)
    scope = serializers.ChoiceField(choices=ApiScope.values)
    expires_at = serializers.DateTimeField(required=False, allow_null=True)
    test_mode = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Make a test key. A test key can only make test keys.",
    )


class ApiKeyViewSet(ApiViewSet):
    queryset = ApiKey.objects.none()  # for the schema generator
    lookup_url_kwarg = "id"
    lookup_value_regex = r"[^/]+"
    required_scopes = {"*": "admin"}
    cursor_ordering = ("-created", "-public_id")
    http_method_names = ["get", "post", "delete", "head", "options"]

    def get_serializer_class(self):
        return ApiKeySerializer

    def idempotency_body(self, response):
        # A replay must not hand the secret out again, and it is never stored: replays carry
        # the key's details with `key: null`.
        data = dict(response.data)
        data["key"] = None
        return json.dumps(data).encode()

    @extend_schema(
        summary="List API keys",
        tags=["keys"],
        responses={200: ApiKeySerializer(many=True)},
        examples=[
            OpenApiExample(
                "Keys",
                response_only=True,
                value={"next": None, "previous": None, "results": [KEY_EXAMPLE]},
            )
        ],
    )
    def list(self, request):
        page = self.paginate_queryset(
            selectors.api_key_list_for_workspace(workspace=self.workspace, sandbox=self.sandbox)
        )
        return self.get_paginated_response(ApiKeySerializer(page, many=True).data)

    @extend_schema(
        summary="Create an API key",
        description="The secret (`key`) is in this response only; store it now.",
        tags=["keys"],
        request=ApiKeyCreateSerializer,
        responses={201: ApiKeyCreatedSerializer},
        examples=[
            OpenApiExample(
                "New key",
                request_only=True,
                value={"name": "Warehouse label printer", "scope": "write"},
            ),
            OpenApiExample(
                "Created",
                response_only=True,
                status_codes=[201],
                value={**KEY_EXAMPLE, "key": "qr_Ab12Cd34.s3cr3tS3cr3tS3cr3tS3cr3tS3cr3tS3cr3t"},
            ),
        ],
    )
    def create(self, request):
        serializer = ApiKeyCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        # The sandbox cannot mint live credentials.
        test = data.pop("test_mode") or self.sandbox
        api_key, secret = services.api_key_create(
            workspace=self.workspace, actor=self.principal.membership, test=test, **data
        )
        data = {**ApiKeySerializer(api_key).data, "key": secret}
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Revoke an API key", tags=["keys"], responses={204: None})
    def destroy(self, request, id=None):
        api_key = selectors.api_key_get_in_workspace(
            workspace=self.workspace, public_id=id, sandbox=self.sandbox
        )
        services.api_key_revoke(api_key=api_key, actor=self.principal.membership)
        return Response(status=status.HTTP_204_NO_CONTENT)


class KeyUsageSerializer(serializers.Serializer):
    id = serializers.CharField(source="key.public_id")
    name = serializers.CharField(source="key.name")
    prefix = serializers.CharField(source="key.prefix")
    test_mode = serializers.BooleanField(source="key.is_test")
    revoked = serializers.BooleanField(source="key.revoked")
    last_used_at = serializers.DateTimeField(source="key.last_used_at", allow_null=True)
    requests_24h = serializers.IntegerField(source="usage.requests_24h")
    errors_24h = serializers.IntegerField(source="usage.errors_24h")
    rate_limited_24h = serializers.IntegerField(
        source="usage.rate_limited_24h", help_text="429 answers."
    )
    requests_30d = serializers.IntegerField(source="usage.requests_30d")
    errors_30d = serializers.IntegerField(source="usage.errors_30d")
    rate_limited_30d = serializers.IntegerField(source="usage.rate_limited_30d")


class UsageTotalsSerializer(serializers.Serializer):
    requests_24h = serializers.IntegerField()
    errors_24h = serializers.IntegerField()
    rate_limited_24h = serializers.IntegerField()
    requests_30d = serializers.IntegerField()
    errors_30d = serializers.IntegerField()
    rate_limited_30d = serializers.IntegerField()


class UsageSerializer(serializers.Serializer):
    keys = KeyUsageSerializer(many=True)
    totals = UsageTotalsSerializer()


class UsageView(ApiView):
    """GET /usage: the workspace's API use per key (of the caller's mode) and in total."""

    required_scopes = {"GET": "read", "HEAD": "read"}

    @extend_schema(
        operation_id="usage",
        summary="API usage per key: requests, errors and 429s over 24 hours and 30 days",
        tags=["keys"],
        responses={200: UsageSerializer},
    )
    def get(self, request):
        rows = selectors.api_key_usage_for_workspace(workspace=self.workspace, sandbox=self.sandbox)
        fields = list(UsageTotalsSerializer().fields)
        totals = {name: sum(getattr(usage, name) for _, usage in rows) for name in fields}
        keys = [{"key": key, "usage": usage} for key, usage in rows]
        return Response(UsageSerializer({"keys": keys, "totals": totals}).data)
