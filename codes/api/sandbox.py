"""POST /sandbox/wipe: delete everything test keys made in the workspace (test keys only)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from codes import services
from qrsite.api.errors import ApiError
from qrsite.api.views import ApiView


class SandboxWipeSerializer(serializers.Serializer):
    codes = serializers.IntegerField(help_text="Sandbox codes deleted (with their scans).")
    groups = serializers.IntegerField()
    logos = serializers.IntegerField()
    events = serializers.IntegerField(help_text="Sandbox events deleted (with their tickets).")


class SandboxWipeView(ApiView):
    required_scopes = {"POST": "write"}

    def check_permissions(self, request):
        # Refused with the permission checks, before an Idempotency-Key is claimed or
        # anything else is written.
        super().check_permissions(request)
        if not self.sandbox:
            raise ApiError(
                "test_mode_only",
                "Wiping the sandbox needs a test key (qr_test_...); this is a live key.",
            )

    @extend_schema(
        operation_id="sandbox_wipe",
        summary="Wipe the sandbox",
        description="Deletes the workspace's sandbox: the codes (and scans), groups, logos, "
        "events (with their tickets and check-ins), jobs (with their files) and test-mode "
        "webhook endpoints made with test keys. Needs a test key "
        "(`qr_test_...`); a live key gets 403 `test_mode_only`, and live data is never touched.",
        tags=["sandbox"],
        request=None,
        responses={200: SandboxWipeSerializer},
    )
    def post(self, request):
        wiped = services.sandbox_wipe(workspace=self.workspace, actor=self.actor)
        return Response(SandboxWipeSerializer(wiped).data)
