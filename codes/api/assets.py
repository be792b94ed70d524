"""Logos and brand styles over the API: `POST /logos` stores an upload exactly as the dashboard
does (`codes.services.logo_create`: PNG, JPEG or WebP only, size and pixel caps, re-encoded to
a clean PNG); `GET /templates` lists the workspace's brand styles, which a create applies with
`"style": "tpl_..."`."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from codes import selectors, services
from codes.models import BrandTemplate, LogoAsset
from codes.rendering.logo import MAX_BYTES as LOGO_MAX_BYTES
from qrsite.api.errors import ApiError
from qrsite.api.serializers import StrictSerializer
from qrsite.api.views import ApiViewSet

LOGOS_TAG = ["logos"]
TEMPLATES_TAG = ["brand styles"]


class LogoSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    name = serializers.CharField()
    width = serializers.IntegerField(help_text="Pixels, after re-encoding.")
    height = serializers.IntegerField()
    size_bytes = serializers.IntegerField(help_text="Of the re-encoded PNG.")
    checksum = serializers.CharField(help_text="SHA-256 of the re-encoded PNG.")
    created_at = serializers.DateTimeField()


class LogoUploadSerializer(StrictSerializer):
    file = serializers.FileField(help_text="PNG, JPEG or WebP, at most 5 MB.")
    name = serializers.CharField(required=False, allow_blank=True, max_length=100)


class BrandTemplateSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    name = serializers.CharField()
    style = serializers.DictField()
    logo = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_logo(self, template) -> str | None:
        return template.logo.public_id if template.logo_id else None


class LogoViewSet(ApiViewSet):
    queryset = LogoAsset.objects.none()  # for the schema generator
    lookup_url_kwarg = "id"
    lookup_value_regex = r"[^/]+"
    cursor_ordering = ("-created_at", "-id")
    http_method_names = ["get", "post", "head", "options"]
    streamed_body = True

    def get_parsers(self):
        if self.request is not None and self.request.method == "POST":
            return [MultiPartParser()]
        return super().get_parsers()

    def max_body_bytes(self) -> int:
        # The file's own 5 MB limit is named when it is read; this bounds the form around it.
        return LOGO_MAX_BYTES + 64 * 1024

    def get_serializer_class(self):
        return LogoSerializer

    @extend_schema(summary="List logos", tags=LOGOS_TAG, responses={200: LogoSerializer(many=True)})
    def list(self, request):
        logos = selectors.logo_list_for_workspace(workspace=self.workspace, sandbox=self.sandbox)
        page = self.paginate_queryset(logos)
        return self.get_paginated_response(LogoSerializer(page, many=True).data)

    @extend_schema(summary="Get a logo", tags=LOGOS_TAG, responses={200: LogoSerializer})
    def retrieve(self, request, id=None):
        logo = selectors.logo_get_for_workspace(
            workspace=self.workspace, public_id=id, sandbox=self.sandbox
        )
        return Response(LogoSerializer(logo).data)

    @extend_schema(
        summary="Upload a logo",
        description="Multipart `file` (PNG, JPEG or WebP; at most 5 MB and 25 megapixels). "
        "The image is decoded and re-encoded as a clean PNG (nothing but pixels is kept); SVG, "
        "decompression bombs and files that are not images are refused. Use the returned id as "
        "`logo` when creating or updating a code. The same picture twice gives the first logo.",
        tags=LOGOS_TAG,
        request={"multipart/form-data": LogoUploadSerializer},
        responses={201: LogoSerializer},
    )
    def create(self, request):
        serializer = LogoUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        if upload.size > LOGO_MAX_BYTES:
            raise ApiError(
                "payload_too_large",
                f"The logo is {upload.size / 1024 / 1024:.1f} MB; the limit is 5 MB.",
                field="file",
            )
        name = serializer.validated_data.get("name") or upload.name.rsplit(".", 1)[0][:100]
        logo = services.logo_create(
            workspace=self.workspace,
            actor=self.actor,
            data=upload.read(),
            name=name,
            sandbox=self.sandbox,
        )
        return Response(LogoSerializer(logo).data, status=status.HTTP_201_CREATED)


class BrandTemplateViewSet(ApiViewSet):
    """Read-only: brand styles are made in the dashboard (Settings → Brand styles) and are
    shared by the workspace's live and sandbox callers."""

    queryset = BrandTemplate.objects.none()  # for the schema generator
    lookup_url_kwarg = "id"
    lookup_value_regex = r"[^/]+"
    cursor_ordering = ("name", "id")
    http_method_names = ["get", "head", "options"]

    def get_serializer_class(self):
        return BrandTemplateSerializer

    @extend_schema(
        summary="List brand styles",
        description='Apply one on create with `"style": "tpl_..."`.',
        tags=TEMPLATES_TAG,
        responses={200: BrandTemplateSerializer(many=True)},
    )
    def list(self, request):
        templates = selectors.brand_template_list_for_workspace(workspace=self.workspace)
        page = self.paginate_queryset(templates)
        return self.get_paginated_response(BrandTemplateSerializer(page, many=True).data)

    @extend_schema(
        summary="Get a brand style", tags=TEMPLATES_TAG, responses={200: BrandTemplateSerializer}
    )
    def retrieve(self, request, id=None):
        template = selectors.brand_template_get_for_workspace(
            workspace=self.workspace, public_id=id
        )
        return Response(BrandTemplateSerializer(template).data)
